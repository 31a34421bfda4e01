// Opens the Streamlit app (streamlit_app/) in Chromium at laptop and phone sizes, reads its
// KPI metrics and charts, fills the "Score a lead" form (through the real scoring API) and
// prints what it saw as JSON for tests/e2e/test_streamlit.py. Screenshots go to
// args.screenshots.
// On a laptop it also reads the "Grades and movers" tab and picks args.history_lead there.
// Usage: node streamlit_check.mjs '{"url": ..., "screenshots": DIR, "lead": {...},
//                                   "history_lead": LEAD_ID}'
import { canvasPixels, checkAtEachViewport, overflowsHorizontally, parseArgs } from "./browser.mjs";

const args = parseArgs();
const TIMEOUT = 60000;

async function metrics(scope) {
  return scope.locator('[data-testid="stMetric"]').evaluateAll((elements) => elements.map((element) => ({
    label: element.querySelector('[data-testid="stMetricLabel"]')?.textContent.trim(),
    value: element.querySelector('[data-testid="stMetricValue"]')?.textContent.trim(),
  })));
}

// Every st.table of `scope`: its header cells and its rows (index cell first).
async function tables(scope) {
  return scope.locator('[data-testid="stTable"] table').evaluateAll((found) => found.map((table) => ({
    headers: Array.from(table.querySelectorAll("thead th"), (cell) => cell.textContent.trim()),
    rows: Array.from(table.querySelectorAll("tbody tr"), (row) =>
      Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim())),
  })));
}

// The tab panel on screen (Streamlit keeps the other tabs' panels in the page, hidden).
function visiblePanel(page) {
  return page.locator('[data-testid="stTabs"] [role="tabpanel"]').filter({ visible: true });
}

async function fillLead(page, lead) {
  for (const [name, value] of Object.entries(lead)) {
    if (typeof value === "number") {
      const input = page.locator(`input[aria-label="${name}"]`);
      await input.fill(String(value));
      await input.press("Tab");
    } else if (typeof value === "boolean") {
      const box = page.locator(`label:has(input[type="checkbox"][aria-label="${name}"])`);
      if ((await box.locator("input").isChecked()) !== value) await box.click();
    } else {
      // Streamlit's selectbox is a combobox: type to filter, then pick the option.
      const combo = page.locator(`input[role="combobox"][aria-label="${name}"]`);
      await combo.click();
      await combo.fill(value);
      await page.getByRole("option", { name: value, exact: true }).click();
    }
  }
}

const result = await checkAtEachViewport(args.screenshots, async ({ page, viewport, shown, screenshot }) => {
  await page.goto(args.url, { waitUntil: "load" });
  await page.waitForSelector('[data-testid="stMetricValue"]', { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg',
    { timeout: TIMEOUT });
  await page.waitForTimeout(1000);  // let Vega finish drawing
  const kpiPanel = visiblePanel(page);
  shown.kpis = await metrics(kpiPanel);
  // Charts of the tab on screen only: the other tabs' charts are in the page, hidden.
  shown.charts = await kpiPanel.locator('[data-testid="stVegaLiteChart"]').count();
  shown.chart_pixels = await canvasPixels(kpiPanel, '[data-testid="stVegaLiteChart"] canvas');
  shown.chart_svg_marks = await kpiPanel.locator('[data-testid="stVegaLiteChart"] svg path, [data-testid="stVegaLiteChart"] svg rect').count();
  shown.warnings = await page.locator('[data-testid="stAlert"]').allTextContents();
  shown.overflows = await overflowsHorizontally(page);
  await screenshot(`streamlit-kpis-${viewport}.png`);

  if (viewport === "laptop") {
    // "Grades and movers": its tables (grades, the day's and the week's movers, the history
    // of the lead in the picker), then the history of args.history_lead once picked.
    await page.getByRole("tab", { name: "Grades and movers" }).click();
    const grades = visiblePanel(page);
    await grades.getByText("History of lead", { exact: false }).waitFor({ timeout: TIMEOUT });
    shown.grade_tables = await tables(grades);
    shown.grade_charts = await grades.locator('[data-testid="stVegaLiteChart"]').count();
    const combo = grades.locator('input[role="combobox"][aria-label="Lead"]');
    await combo.click();
    await combo.fill(args.history_lead);
    await page.getByRole("option", { name: args.history_lead, exact: true }).click();
    await grades.getByText(`History of lead ${args.history_lead}:`, { exact: false })
      .waitFor({ timeout: TIMEOUT });
    await page.waitForTimeout(500);  // let the rerun replace the table
    shown.picked_tables = await tables(visiblePanel(page));
    shown.grade_errors = await visiblePanel(page).locator('[data-testid="stAlert"]').allTextContents();
    await screenshot("streamlit-grades-laptop.png");

    await page.getByRole("tab", { name: "Score a lead" }).click();
    await fillLead(page, args.lead);
    await page.locator('[data-testid="stFormSubmitButton"] button').click();
    await page.getByText("Reasons", { exact: true }).waitFor({ timeout: TIMEOUT });
    const panel = visiblePanel(page);
    await panel.locator('[data-testid="stTable"] table tbody tr').first().waitFor({ timeout: TIMEOUT });
    shown.score = await metrics(panel);
    shown.reasons = await panel.locator('[data-testid="stTable"] table tbody tr').evaluateAll(
      (rows) => rows.map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent.trim())));
    shown.reason_headers = await panel.locator('[data-testid="stTable"] table thead th').allTextContents();
    shown.errors = await panel.locator('[data-testid="stAlert"]').allTextContents();
    // Streamlit scrolls inside its own container, so a full-page capture stops at the first
    // screen: bring the score and its reasons into view first.
    await panel.locator('[data-testid="stTable"]').scrollIntoViewIfNeeded();
    await screenshot("streamlit-score-laptop.png");
  }
});
process.stdout.write(JSON.stringify(result));
