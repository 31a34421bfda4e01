// Opens MLflow's own web UI at the run link `leadscore train` printed, in Chromium at laptop and
// phone sizes, and prints what the run page shows as JSON for tests/e2e/test_mlflow_ui.py: the
// "About this run" values, the logged-models table, the Datasets and Registered models boxes,
// the navigation (GenAI or model training); on the laptop also the experiment's page and the
// logged model's page (the link `leadscore train` printed) with its MLmodel. Screenshots go to
// args.screenshots.
// Usage: node mlflow_run_check.mjs '{"run_url": ..., "experiment_url": ..., "model_url": ...,
//   "run_name": ..., "model_name": ..., "dataset_name": ..., "screenshots": DIR}'
import { checkAtEachViewport, parseArgs } from "./browser.mjs";

const args = parseArgs();
const TIMEOUT = 60000;
const LABELS = ["Created by", "Source", "Status", "Datasets", "Registered models"];
const MODEL_LABELS = ["Created by", "Status", "Source run", "Logged from", "Datasets used",
  "Model versions"];
// MLflow's UI keeps polling, so the network never goes idle: wait for what is checked, then
// this long for the rest of the page to settle.
const SETTLE_MS = 1500;

// The text shown with each label: the last visible element whose whole text is the label (the
// run page's own boxes come after the tables and the navigation), then the nearest ancestor
// that holds more than the label (its key-value row or box), minus the label.
async function labelledValues(page, labels) {
  return page.evaluate((wanted) => {
    const leaves = Array.from(document.querySelectorAll("body *")).filter(
      (element) => element.children.length === 0 && element.offsetParent !== null);
    const values = {};
    for (const label of wanted) {
      const matches = leaves.filter((element) => element.textContent.trim() === label);
      values[label] = null;
      for (let node = matches.at(-1)?.parentElement; node; node = node.parentElement) {
        const text = node.innerText.trim();
        if (text !== label && text.startsWith(label)) {
          values[label] = text.slice(label.length).trim().replace(/\s+/g, " ");
          break;
        }
      }
    }
    return values;
  }, labels);
}

// The box titled "Logged models (N)": its title and the text of its table.
async function loggedModels(page) {
  return page.evaluate(() => {
    const title = Array.from(document.querySelectorAll("body *")).find((element) =>
      element.children.length === 0 && /^Logged models \(\d+\)$/.test(element.textContent.trim()));
    if (!title) return null;
    const heading = title.textContent.trim();
    for (let node = title.parentElement; node; node = node.parentElement) {
      const text = node.innerText.trim();
      const rest = text.slice(text.indexOf(heading) + heading.length).trim();
      if (rest.split("\n").length > 3) return { title: heading, text: rest.replace(/\s+/g, " ") };
    }
    return { title: heading, text: null };
  });
}

// MLflow's assistant panel (and on a phone its sidebar) would cover most of the screenshots.
async function makeRoom(page, viewport) {
  const close = page.locator('button[data-component-id="mlflow.assistant.chat_panel.close"]');
  if (await close.count()) await close.first().click();
  if (viewport === "phone") await page.locator('button[aria-label="Toggle sidebar"]').first().click();
}

// The side navigation's text: "Model registry" is there in the model-training view only.
async function sidebar(page) {
  return (await page.locator("aside").first().innerText()).replace(/\s+/g, " ");
}

const result = await checkAtEachViewport(args.screenshots, async ({ page, viewport, shown, screenshot }) => {
  await page.goto(args.run_url, { waitUntil: "load" });
  await page.getByText("About this run").first().waitFor({ timeout: TIMEOUT });
  // The logged model and the dataset arrive by requests of their own after the run.
  await page.getByText(args.model_name).first().waitFor({ timeout: TIMEOUT });
  await page.getByText(args.dataset_name).first().waitFor({ timeout: TIMEOUT });
  await page.getByText(/^Logged models \(\d+\)$/).first().waitFor({ timeout: TIMEOUT });
  await page.waitForTimeout(SETTLE_MS);
  shown.run = await labelledValues(page, LABELS);
  shown.logged_models = await loggedModels(page);
  shown.sidebar = await sidebar(page);
  await makeRoom(page, viewport);
  await page.waitForTimeout(SETTLE_MS);
  await screenshot(`mlflow-run-${viewport}.png`);
  // The page scrolls inside its own container, so a full-page capture stops at the first
  // screen: bring the logged-models table into view for a second one.
  await page.getByText(/^Logged models \(\d+\)$/).first().scrollIntoViewIfNeeded();
  await screenshot(`mlflow-run-logged-models-${viewport}.png`);

  if (viewport === "laptop") {
    await page.goto(args.experiment_url, { waitUntil: "load" });
    await page.getByRole("link", { name: args.run_name }).first().waitFor({ timeout: TIMEOUT });
    await page.waitForTimeout(SETTLE_MS);
    shown.experiment_url = page.url();
    shown.experiment_sidebar = await sidebar(page);
    await screenshot("mlflow-experiment-laptop.png");

    await page.goto(args.model_url, { waitUntil: "load" });
    await page.getByText("About this logged model").first().waitFor({ timeout: TIMEOUT });
    await page.getByText(args.dataset_name).first().waitFor({ timeout: TIMEOUT });
    await page.waitForTimeout(SETTLE_MS);
    shown.model = await labelledValues(page, MODEL_LABELS);
    shown.model_metrics = await labelledValues(page, ["auc"]);
    await screenshot("mlflow-logged-model-laptop.png");
    // Its MLmodel, as the Artifacts tab previews it: the signature.
    await page.getByText("Artifacts", { exact: true }).first().click();
    await page.getByText("MLmodel", { exact: true }).first().click();
    await page.getByText("raw_probability").first().waitFor({ timeout: TIMEOUT });
    shown.mlmodel = await page.locator("body").innerText();
    await screenshot("mlflow-logged-model-mlmodel-laptop.png");
  }
});
process.stdout.write(JSON.stringify(result));
