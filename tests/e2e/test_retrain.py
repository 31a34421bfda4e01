"""scripts/retrain, the daily job: fresh data → mart → train → gate → promote → reload.

A retrain trains what scripts/run trains (the recency model on the point-in-time snapshots,
tested on the latest leads), so its gate judges challenger and champion on the test rows the
champion was chosen on. A retrain on broken data or with a worse model must leave champion,
model file and features as they were, and must not reload servers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO, mlflow_server
from mlflow import MlflowClient

WORKFLOW = REPO / ".github/workflows/daily-synthetic-data.yml"


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as server:
        yield server.url


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("retrain")


def retrain(workdir: Path, tracking: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking,
        "LEADSCORE_ROWS": "5000",
        "LEADSCORE_RETRAIN_SEED": "21",
        "LEADSCORE_RETRAIN_DIR": str(workdir / "generated"),
        "LEADSCORE_WAREHOUSE": str(workdir / "warehouse.duckdb"),
        "LEADSCORE_FEATURES": str(workdir / "features.csv"),
        "LEADSCORE_MODEL": str(workdir / "model.json"),
        "LEADSCORE_DASHBOARD_DATA": str(workdir / "dashboard.json"),
        "LEADSCORE_RELOAD_HOOK": f"touch {workdir / 'reloaded'}",
        **extra,
    }
    return subprocess.run(
        [str(REPO / "scripts/retrain")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def model_metrics(model_file: Path) -> dict[str, float]:
    """The test metrics stored in a model file (booster attribute `metrics`)."""
    attributes = json.loads(model_file.read_text())["learner"]["attributes"]
    return json.loads(attributes["metrics"])


def snapshot(workdir: Path, tracking: str) -> tuple[bytes, bytes, dict[str, str]]:
    aliases = MlflowClient(tracking).get_registered_model("lead-scoring").aliases
    return ((workdir / "model.json").read_bytes(), (workdir / "features.csv").read_bytes(), aliases)


def test_workflow_is_valid_and_runs_the_retrain_script() -> None:
    actionlint = REPO / ".cache/bin/actionlint"
    result = subprocess.run(
        [str(actionlint), str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    steps = workflow["jobs"]["retrain"]["steps"]
    assert any("scripts/retrain" in step.get("run", "") for step in steps)


def test_first_retrain_promotes_and_reloads(workdir: Path, tracking: str) -> None:
    result = retrain(workdir, tracking)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "promoted: version 1 is champion" in result.stdout
    assert (workdir / "reloaded").exists()
    model = json.loads((workdir / "model.json").read_text())
    assert model["learner"]["attributes"]["model_version"] == "1"
    dashboard = json.loads((workdir / "dashboard.json").read_text())
    assert dashboard["totals"]["model_version"] == "1"
    assert dashboard["totals"]["scored_leads"] == dashboard["totals"]["leads"] > 0


def test_retrain_trains_what_scripts_run_trains_on_the_snapshots(
    workdir: Path, tmp_path: Path
) -> None:
    """Version 1 is the model scripts/run's recency training makes of the same export: the
    snapshots (not the one-row-per-lead creation-time table), split by the latest leads."""
    attributes = json.loads((workdir / "model.json").read_text())["learner"]["attributes"]
    assert attributes["feature_set"] == "base+channel+recency"
    snapshots = workdir / "lead_snapshots.csv"
    with snapshots.open() as rows, (workdir / "features.csv").open() as leads:
        assert sum(1 for _ in rows) > sum(1 for _ in leads), "snapshots: several rows per lead"
    report = tmp_path / "report.json"
    trained = subprocess.run(
        [
            str(BINARY),
            "train",
            "--data",
            str(snapshots),
            "--split",
            "latest",
            "--horizon-days",
            "90",
            "--features",
            "base+channel+recency",
            "--truth",
            str(workdir / "generated/21/raw/truth.csv"),
            "--tracking-uri",
            "none",
            "--model-out",
            str(tmp_path / "model.json"),
            "--report-json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert trained.returncode == 0, trained.stderr
    by_hand = json.loads(report.read_text())["metrics"]
    retrained = model_metrics(workdir / "model.json")
    assert retrained["test_rows"] == by_hand["test_rows"]
    for metric in ("auc", "auc_oracle", "brier", "logloss"):
        assert retrained[metric] == pytest.approx(by_hand[metric], abs=1e-12), metric


def test_retrain_on_broken_data_changes_nothing(workdir: Path, tracking: str) -> None:
    (workdir / "reloaded").unlink()
    before = snapshot(workdir, tracking)
    broken = workdir / "broken"
    shutil.copytree(workdir / "generated/21/raw", broken)
    contacts = (broken / "hubspot/contacts.jsonl").read_text().splitlines(keepends=True)
    contact = json.loads(contacts[5])
    contact["properties"]["createdate"] = "yesterday"  # an unparseable timestamp on line 6
    contacts[5] = json.dumps(contact) + "\n"
    (broken / "hubspot/contacts.jsonl").write_text("".join(contacts))

    result = retrain(workdir, tracking, LEADSCORE_RETRAIN_RAW=str(broken))
    assert result.returncode != 0
    assert (
        "contacts.jsonl line 6, field properties.createdate: 'yesterday' is not a valid timestamp"
    ) in result.stderr
    assert snapshot(workdir, tracking) == before
    assert not (workdir / "reloaded").exists()


def test_retrain_with_a_worse_model_changes_nothing(workdir: Path, tracking: str) -> None:
    before = snapshot(workdir, tracking)
    result = retrain(workdir, tracking, LEADSCORE_TRAIN_ARGS="--n-estimators 1 --max-depth 1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not promoted: the champion stays" in result.stdout
    # The gate scored the champion on the challenger's test rows: the same snapshot rows, so
    # it measured v1's own test AUC on v1's own number of test rows.
    champion = model_metrics(workdir / "model.json")
    assert (
        f"champion v1's {champion['auc']:.4f} - 0.005 on the same "
        f"{int(champion['test_rows'])} test rows"
    ) in result.stdout, result.stdout
    assert "the champion did not change" in result.stdout
    model, _, aliases = snapshot(workdir, tracking)
    assert (model, aliases["champion"]) == (before[0], before[2]["champion"])
    assert not (workdir / "reloaded").exists()
    dashboard = json.loads((workdir / "dashboard.json").read_text())
    assert dashboard["totals"]["model_version"] == "1", "scored by the kept champion"
