// What both browser checks share: Debian's Chromium driven by npm playwright-core, a record
// of every console error, page error and failed request, the same viewports and screenshots
// for each check, and a pixel test for charts.
import path from "node:path";

import { chromium } from "playwright-core";

const VIEWPORTS = {
  laptop: { viewport: { width: 1366, height: 768 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

async function launch() {
  const executablePath = process.env.LEADSCORE_CHROMIUM || "/usr/bin/chromium";
  // --no-sandbox: CI and the dev machines run as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
}

// Opens a page that records what went wrong in it.
async function openPage(browser, viewport) {
  const context = await browser.newContext(VIEWPORTS[viewport]);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { context, page, problems };
}

// Runs `check` on a fresh page (own context, own problem record) at each of VIEWPORTS in one
// Chromium, and returns {screenshots: [files], laptop: shown, phone: shown}. Shared so that
// every check covers the same sizes and reports its screenshots the same way: the shape
// tests/e2e/fixtures/browser.py checks and lists.
// `check({page, viewport, shown, screenshot})` adds what it reads to `shown`, which already
// holds the page's `problems`; `screenshot(name)` saves the full page as `screenshotDir/name`.
export async function checkAtEachViewport(screenshotDir, check) {
  const browser = await launch();
  const result = { screenshots: [] };
  try {
    for (const viewport of Object.keys(VIEWPORTS)) {
      const { context, page, problems } = await openPage(browser, viewport);
      const shown = { problems };
      const screenshot = async (name) => {
        const file = path.join(screenshotDir, name);
        await page.screenshot({ path: file, fullPage: true });
        result.screenshots.push(file);
      };
      await check({ page, viewport, shown, screenshot });
      result[viewport] = shown;
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return result;
}

// Non-blank pixels of every <canvas> matching `selector`: [{id, width, height, painted}].
export async function canvasPixels(scope, selector) {
  // `scope`: a page, or a locator (e.g. the one tab panel on screen).
  const found = scope.$$eval ? scope.$$eval.bind(scope, selector)
    : (read) => scope.locator(selector).evaluateAll(read);
  return found((canvases) => canvases.map((canvas) => {
    let painted = 0;
    try {
      const context = canvas.getContext("2d");
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    } catch (error) {
      painted = -1;  // not a 2d canvas (e.g. WebGL): the caller treats it as unknown
    }
    return { id: canvas.id, width: canvas.width, height: canvas.height, painted };
  }));
}

// Whether the page is wider than the viewport (a horizontal scrollbar on a phone).
export async function overflowsHorizontally(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

export function parseArgs() {
  return JSON.parse(process.argv[2]);
}
