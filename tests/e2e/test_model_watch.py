"""The model watch (automation/n8n_model_watch_workflow.json) in a real n8n against a real
`leadscore serve` and the loopback Slack stand-in: silent while the leads look like the
training data and the warehouse's realized AUC keeps its promise; exactly one Slack message
when a shifted sample (page views x5, a channel surge) drifts; none when asked again; exactly
one more when the realized AUC of a model collapses (the shuffled scores of the `realized`
fixture). Each new incident also starts scripts/retrain through the workflow's Execute Command
node and scripts/retrain_on_alert (a new MLflow run and registry version, the champion gate
deciding); a call that posts nothing retrains nothing.
"""

from __future__ import annotations

import csv
import fcntl
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.leadscore_server import BINARY, LeadscoreServer, leadscore_server
from fixtures.mlflow_server import mlflow_server
from fixtures.n8n import N8n, n8n_instance
from fixtures.realized import SHUFFLED_VERSION
from fixtures.saas_standins import StandIn, slack_and_hubspot
from mlflow import MlflowClient

WINDOW = 20  # seconds of the server's drift window: the shifted sample replaces the first
SAMPLE = 3000
RETRAIN_ROWS = 2000  # leads each alert's retrain generates: small, the test waits for it
REGISTERED_MODEL = "lead-scoring"


@dataclass(frozen=True)
class Watch:
    n8n: N8n
    server: LeadscoreServer
    slack: StandIn
    dashboard_file: Path
    full_dashboard: dict[str, Any]
    features_csv: Path
    tracking: str
    retrain_dir: Path

    def check(self) -> dict[str, Any]:
        answer = requests.post(
            f"http://127.0.0.1:{self.n8n.port}/webhook/model-watch",
            json={},
            headers={"X-Leadscore-Token": self.n8n.token},
            timeout=120,
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def registered_versions(self) -> int:
        client = MlflowClient(self.tracking)
        return len(client.search_model_versions(f"name='{REGISTERED_MODEL}'"))

    def wait_for_retrain(self, timeout: float = 900) -> str:
        """Until the retrain the hook started has ended (it holds <log>.lock while it runs);
        the retrain log."""
        log = self.retrain_dir / "retrain.log"
        deadline = time.monotonic() + timeout
        with (self.retrain_dir / "retrain.log.lock").open("a") as lock:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(lock, fcntl.LOCK_UN)
                    return log.read_text()
                except BlockingIOError:
                    assert time.monotonic() < deadline, f"retrain still running:\n{log.read_text()}"
                    time.sleep(1)


def write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    temporary.replace(path)


def leads_of(features_csv: Path, count: int, seed: int) -> list[dict[str, Any]]:
    with features_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "sessions": int(r["sessions"]),
            "engaged_sessions": int(r["engaged_sessions"]),
            "page_views": int(r["page_views"]),
            "is_first_visit": r["is_first_visit"].strip().lower() in {"1", "true"},
            "channel": r["channel"],
        }
        for r in random.Random(seed).sample(rows, count)
    ]


def score(server: LeadscoreServer, leads: list[dict[str, Any]]) -> None:
    answer = requests.post(f"{server.url}/score/batch", json={"leads": leads}, timeout=60)
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def watch(
    models: dict[str, Path], realized: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Watch]:
    root = tmp_path_factory.mktemp("model-watch")
    retrain_dir = root / "retrain"
    retrain_dir.mkdir()
    (root / "mlflow").mkdir()
    full = realized["dashboard"]
    # First the warehouse without the collapsed version: its realized AUC keeps the promise.
    kept = {
        **full,
        "realized_accuracy_by_model": [
            row
            for row in full["realized_accuracy_by_model"]
            if row["model_version"] != SHUFFLED_VERSION
        ],
    }
    dashboard_file = root / "dashboard.json"
    write_json(dashboard_file, kept)
    with (
        leadscore_server(
            root,
            "--model",
            str(models["channel"]),
            "--drift-window",
            str(WINDOW),
            "--dashboard-data",
            str(dashboard_file),
        ) as server,
        slack_and_hubspot() as (slack, hubspot),
        mlflow_server(root / "mlflow") as tracking,
    ):
        # What the workflow's retrain hook (run_n8n.sh's default LEADSCORE_RETRAIN_COMMAND,
        # scripts/retrain_on_alert) passes on to scripts/retrain: a small fresh data set, the
        # test's MLflow and files, this build's binary, a reload that only leaves a mark.
        retrain_env = {
            "MLFLOW_TRACKING_URI": tracking.url,
            "LEADSCORE_BIN": str(BINARY),
            "LEADSCORE_ROWS": str(RETRAIN_ROWS),
            "LEADSCORE_RETRAIN_SEED": "31",
            "LEADSCORE_RETRAIN_DIR": str(retrain_dir / "generated"),
            "LEADSCORE_RETRAIN_LOG": str(retrain_dir / "retrain.log"),
            "LEADSCORE_WAREHOUSE": str(retrain_dir / "warehouse.duckdb"),
            "LEADSCORE_FEATURES": str(retrain_dir / "features.csv"),
            "LEADSCORE_MODEL": str(retrain_dir / "model.json"),
            "LEADSCORE_DASHBOARD_DATA": str(retrain_dir / "dashboard.json"),
            "LEADSCORE_RELOAD_HOOK": f"touch {retrain_dir / 'reloaded'}",
            "OMP_WAIT_POLICY": "passive",
        }
        env = {
            **retrain_env,
            "LEADSCORE_URL": server.url,
            "SLACK_API_URL": slack.url,
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_CHANNEL": "#model-alerts",
            "HUBSPOT_API_URL": hubspot.url,
            "HUBSPOT_TOKEN": hubspot.token,
        }
        with n8n_instance(root / "n8n-home", env) as n8n:
            watch = Watch(
                n8n,
                server,
                slack,
                dashboard_file,
                full,
                models["features"],
                tracking.url,
                retrain_dir,
            )
            yield watch
            # A retrain still running must not outlive its MLflow server.
            if (retrain_dir / "retrain.log.lock").exists():
                watch.wait_for_retrain()


def test_drift_then_realized_collapse_each_page_slack_once(watch: Watch) -> None:
    # Leads like the training data: every PSI below the watch threshold, no incident.
    started = time.monotonic()
    score(watch.server, leads_of(watch.features_csv, SAMPLE, seed=11))
    report = requests.get(f"{watch.server.url}/model/drift", timeout=10).json()
    assert report["leads"] == SAMPLE
    assert all(f["psi"] < 0.1 for f in report["features"]), report["features"]
    quiet = watch.check()
    assert quiet["new_incidents"] == [] and quiet["open"] == [], quiet
    assert watch.slack.succeeded() == []
    assert quiet["retrain"] is False and quiet["retrain_started"] is False, quiet
    assert not (watch.retrain_dir / "retrain.log").exists(), "no alert, no retrain"

    # A shifted sample once the first has left the window: page views x5, a channel surge.
    time.sleep(max(0.0, WINDOW + 2 - (time.monotonic() - started)))
    bins = {f["name"]: f for f in report["features"]}["channel"]["bins"]
    rare = min(bins, key=lambda b: b["reference"])["label"]
    shifted = leads_of(watch.features_csv, SAMPLE, seed=12)
    for index, lead in enumerate(shifted):
        lead["page_views"] *= 5
        if index % 3 == 0:
            lead["channel"] = rare
    score(watch.server, shifted)
    psi = {
        f["name"]: f["psi"]
        for f in requests.get(f"{watch.server.url}/model/drift", timeout=10).json()["features"]
    }
    assert psi["page_views"] > 0.2 and psi["channel"] > 0.2, psi
    assert psi["sessions"] < 0.1 and psi["engaged_sessions"] < 0.1, psi
    drifted = watch.check()
    version = requests.get(f"{watch.server.url}/model", timeout=10).json()["model_version"]
    assert drifted["new_incidents"] == [
        f"drift:{version}:channel",
        f"drift:{version}:page_views",
    ], drifted
    assert drifted["alerted"] is True and drifted["retrain"] is True
    assert drifted["retrain_started"] is True, drifted
    assert drifted["retrain_hook"]["log"] == str(watch.retrain_dir / "retrain.log")
    messages = watch.slack.succeeded()
    assert len(messages) == 1, [m.body for m in messages]
    text = messages[0].body["text"]
    assert messages[0].body["channel"] == "#model-alerts"
    assert "Drift on page_views" in text and "Drift on channel" in text
    assert "scripts/retrain" in text and "sessions" not in text.replace("engaged_sessions", "")

    # Asked again while nothing changed: still open, no second message, no second retrain.
    again = watch.check()
    assert again["new_incidents"] == [] and len(again["open"]) == 2
    assert len(watch.slack.succeeded()) == 1
    assert again["retrain_started"] is False and again["retrain_hook"] is None, again

    # The alert's retrain: a new MLflow run registered as version 1, promoted by the gate
    # (no champion before it), the servers told to reload.
    retrain_log = watch.wait_for_retrain()
    assert "promoted: version 1 is champion" in retrain_log, retrain_log
    assert watch.registered_versions() == 1
    assert (watch.retrain_dir / "reloaded").exists()

    # The warehouse now holds the shuffled model's resolved scores: its realized AUC collapsed.
    write_json(watch.dashboard_file, watch.full_dashboard)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        warehouse = requests.get(f"{watch.server.url}/dashboard/data", timeout=10).json()
        rows = (warehouse.get("warehouse") or {}).get("realized_accuracy_by_model", [])
        if any(row["model_version"] == SHUFFLED_VERSION for row in rows):
            break
        time.sleep(0.2)
    collapsed = watch.check()
    assert collapsed["new_incidents"] == [f"realized:{SHUFFLED_VERSION}"], collapsed
    messages = watch.slack.succeeded()
    assert len(messages) == 2
    assert f"Realized AUC of model {SHUFFLED_VERSION}" in messages[1].body["text"]
    assert collapsed["retrain_started"] is True, collapsed
    last = watch.check()
    assert last["new_incidents"] == [] and last["retrain_started"] is False
    assert len(watch.slack.succeeded()) == 2
    # The second alert's retrain: version 2, whatever the gate decides about it.
    retrain_log = watch.wait_for_retrain()
    assert retrain_log.count("retrain started by a model-watch alert") == 2, retrain_log
    assert watch.registered_versions() == 2
