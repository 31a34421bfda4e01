"""MLflow's own web UI on a run of `leadscore train` (a real MLflow server, a real training run,
Chromium through npm playwright-core), opened from the links the run printed: the run page
shows who trained it, its source, the training dataset, the logged model and its registered
version, in the model-training view; so does the experiment's page; the logged model's page
shows its run, dataset-linked metrics, version and the MLmodel with its signature. Screenshots
of each page are listed at the end of the pytest run, like the other browser tests'.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures.browser import run_browser_check
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO, mlflow_server
from mlflow import MlflowClient

TRAINER = "leadscore-ui-e2e"  # the login name the run is logged under (mlflow.user)
RUN_NAME = "ui-check"


EXPERIMENT = "Lead Scoring Optimization"
# MLflow's own noise, not the run's: its UI asks for the signed-in user, which a server without
# authentication (ours) does not have (404), and its tables trip Chromium's ResizeObserver
# warning while they lay out.
UI_NOISE = ("/ajax-api/2.0/mlflow/users/current", "status of 404 (Not Found)",
            "ResizeObserver loop completed with undelivered notifications")


@dataclass(frozen=True)
class TrainedRun:
    run_url: str  # the links `leadscore train` printed
    model_url: str
    run_id: str
    model_id: str
    version: str
    dataset_name: str
    digest: str  # the data hash, the dataset's digest


def printed_link(stdout: str, prefix: str) -> str:
    """The URL at the end of the line of `leadscore train`'s output that starts with prefix."""
    match = re.search(rf"^{re.escape(prefix)}.*: (http\S+)$", stdout, re.MULTILINE)
    assert match, f"no '{prefix}' line in:\n{stdout}"
    return match.group(1)


@pytest.fixture(scope="module")
def trained(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[TrainedRun]:
    """One base+channel run of the session's mart on a server of its own."""
    with mlflow_server(tmp_path_factory.mktemp("mlflow-ui")) as server:
        out = tmp_path_factory.mktemp("mlflow-ui-model")
        report_file = out / "report.json"
        result = subprocess.run(
            [str(BINARY), "train", "--data", str(models["features"]), "--features",
             "base+channel", "--tracking-uri", server.url, "--run-name", RUN_NAME,
             "--model-out", str(out / "model.json"), "--report-json", str(report_file)],
            cwd=REPO, env={**os.environ, "LOGNAME": TRAINER}, capture_output=True, text=True,
            timeout=600, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(report_file.read_text())
        run = MlflowClient(server.url).get_run(report["run_id"])
        yield TrainedRun(run_url=printed_link(result.stdout, "MLflow run"),
                         model_url=printed_link(result.stdout, "logged model"),
                         run_id=report["run_id"], model_id=report["model_id"],
                         version=report["model_version"],
                         dataset_name=Path(models["features"]).stem,
                         digest=run.data.tags["leadscore.data_hash"])


def test_printed_links_open_the_model_training_view(trained: TrainedRun) -> None:
    assert trained.run_url.endswith(f"/runs/{trained.run_id}?workflowType=machine_learning")
    assert trained.model_url.endswith(
        f"/models/{trained.model_id}?workflowType=machine_learning")


def test_run_page_shows_the_trainer_the_dataset_and_the_logged_model(
        trained: TrainedRun, tmp_path: Path) -> None:
    experiment_url = trained.run_url.split("/runs/")[0] + "?workflowType=machine_learning"
    shown = run_browser_check("mlflow_run_check.mjs", {
        "run_url": trained.run_url, "experiment_url": experiment_url,
        "model_url": trained.model_url, "run_name": RUN_NAME,
        "model_name": "lead_scoring_xgb_model", "dataset_name": trained.dataset_name,
        "screenshots": str(tmp_path)})
    version = f"lead-scoring v{trained.version}"

    for viewport in ("laptop", "phone"):
        page = shown[viewport]
        problems = [p for p in page["problems"] if not any(n in p for n in UI_NOISE)]
        assert problems == [], f"{viewport}: {page['problems']}"
        assert "Model registry" in page["sidebar"], "the model-training navigation"
        run = page["run"]
        assert run["Created by"] == TRAINER, run
        assert run["Source"].startswith("leadscore train"), run
        assert run["Status"] == "Finished", run
        assert run["Datasets"] == f"{trained.dataset_name} ({trained.digest}) Train", run
        assert run["Registered models"] == version, run
        assert page["logged_models"]["title"] == "Logged models (1)", page["logged_models"]
        assert "lead_scoring_xgb_model Ready" in page["logged_models"]["text"]
    # The laptop's table is wide enough for the model's version and dataset columns.
    laptop = shown["laptop"]
    assert f"{version} {trained.dataset_name} (#{trained.digest})" in (
        laptop["logged_models"]["text"])

    assert "/runs?workflowType=machine_learning" in laptop["experiment_url"]
    assert "Model registry" in laptop["experiment_sidebar"]

    assert laptop["model"] == {
        "Created by": TRAINER, "Status": "Ready", "Source run": RUN_NAME,
        "Logged from": laptop["run"]["Source"],
        "Datasets used": f"{trained.dataset_name} (#{trained.digest})",
        "Model versions": version}
    # MLmodel as the Artifacts tab shows it: the signature (a JSON text inside the YAML) lists
    # the booster's columns and the output, and the metadata the lead fields they encode.
    lead_fields = "sessions, engaged_sessions, page_views, is_first_visit, channel"
    for shown_text in (f"model_id: {trained.model_id}", '\\"name\\":\\"channel=Paid Search\\"',
                       '\\"name\\":\\"raw_probability\\"',
                       f'leadscore.lead_fields: "{lead_fields}"'):
        assert shown_text in laptop["mlmodel"], shown_text
