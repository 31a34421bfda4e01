// Opens leadscore serve's /dashboard in Chromium at laptop and phone sizes, lets live scoring
// traffic run while the page polls, and prints what the page shows as JSON (KPIs as text and
// raw values, table rows incl. "Is the model still right?", chart pixels, live figures,
// problems) for tests/e2e/test_dashboard.py to compare with the API and the marts. Screenshots go to args.screenshots.
// "Grades and movers" is read too, after picking args.history_lead in the lead picker.
// Usage: node dashboard_check.mjs '{"url": ..., "screenshots": DIR, "lead": {...}, "requests": N,
//                                   "history_lead": LEAD_ID}'
import { canvasPixels, checkAtEachViewport, overflowsHorizontally, parseArgs } from "./browser.mjs";

const args = parseArgs();
const KPIS = ["kpi-leads-scored", "kpi-share-high", "kpi-mean-score", "kpi-model-version",
  "kpi-test-auc", "kpi-last-trained"];

async function readKpis(page) {
  const kpis = {};
  for (const id of KPIS) {
    const element = page.locator(`#${id}`);
    kpis[id] = { text: (await element.textContent()).trim(), value: await element.getAttribute("data-value") };
  }
  return kpis;
}

async function tableRows(page, id) {
  return page.$$eval(`#${id} tbody tr`, (rows) => rows.map((row) =>
    Array.from(row.querySelectorAll("td"), (cell) => cell.textContent)));
}

async function waitForLiveUpdates(page, atLeast) {
  await page.waitForFunction((n) => Number(document.body.dataset.liveUpdates || 0) >= n, atLeast,
    { timeout: 20000 });
}

// POSTs the lead `count` times while the page polls: the live figures must move.
async function scoreTraffic(count) {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${args.url}/score`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(args.lead),
    });
    if (response.status !== 200) throw new Error(`POST /score answered ${response.status}`);
    await response.arrayBuffer();
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const result = await checkAtEachViewport(args.screenshots, async ({ page, viewport, shown, screenshot }) => {
  await page.goto(`${args.url}/dashboard?refresh=400`, { waitUntil: "load" });
  await page.waitForSelector("body[data-loaded=true]", { timeout: 20000 });
  await waitForLiveUpdates(page, 2);
  if (viewport === "laptop") {
    const before = Number(await page.locator("#live-high").getAttribute("data-value"));
    const rates = [];
    const sampler = setInterval(async () => {
      const rate = await page.locator("#live-rps").getAttribute("data-value").catch(() => null);
      if (rate !== null) rates.push(Number(rate));
    }, 200);
    await scoreTraffic(args.requests);
    const updates = Number(await page.evaluate(() => document.body.dataset.liveUpdates));
    await waitForLiveUpdates(page, updates + 2);  // polls after the last request
    clearInterval(sampler);
    shown.live = {
      high_before: before,
      high_after: Number(await page.locator("#live-high").getAttribute("data-value")),
      max_rate: Math.max(0, ...rates),
      p99_text: (await page.locator("#live-p99").textContent()).trim(),
      p99_value: await page.locator("#live-p99").getAttribute("data-value"),
    };
  }
  shown.kpis = await readKpis(page);
  shown.channels = await tableRows(page, "channel-table");
  shown.funnel = await tableRows(page, "funnel-table");
  shown.realized_models = await tableRows(page, "realized-model-table");
  shown.realized_weeks = await tableRows(page, "realized-week-table");
  shown.realized_empty = await page.locator("#realized-empty").isVisible();
  shown.grades = await tableRows(page, "grade-table");
  shown.grades_day = (await page.locator("#grades-day").textContent()).trim();
  shown.grade_cuts = (await page.locator("#grade-cuts").textContent()).trim();
  shown.movers_day = await tableRows(page, "movers-day-table");
  shown.movers_week = await tableRows(page, "movers-week-table");
  shown.history_options = await page.$$eval("#lead-picker option", (options) => options.map((o) => o.value));
  shown.history_first = await page.locator("body").getAttribute("data-history-lead");
  // Pick the lead the test names; its history replaces the table and the chart.
  await page.selectOption("#lead-picker", args.history_lead);
  await page.waitForSelector(`body[data-history-lead="${args.history_lead}"]`, { timeout: 5000 });
  shown.history = await tableRows(page, "lead-history-table");
  shown.drift = await tableRows(page, "drift-table");
  shown.drift_note = (await page.locator("#drift-note").textContent()).trim();
  shown.charts = await canvasPixels(page, "canvas");
  shown.problem_banners = await page.$$eval(".problem:not([hidden])", (els) => els.map((e) => e.textContent));
  shown.overflows = await overflowsHorizontally(page);
  await screenshot(`dashboard-${viewport}.png`);
});
process.stdout.write(JSON.stringify(result));
