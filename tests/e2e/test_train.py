"""`leadscore train` against a real MLflow server, real DuckDB/dbt data and real XGBoost.

One server and one small mart per module; the tests run in file order and build on each
other's registry state (version 1 champion, then a worse version 2 that is refused, ...).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import mlflow
import numpy as np
import pytest
import xgboost
from fixtures.mlflow_server import REPO, free_port, mlflow_server
from fixtures.shared_data import OLIST_DIR
from mlflow import MlflowClient
from mlflow.entities import LoggedModelStatus
from mlflow.models import get_model_info

BINARY = Path(os.environ.get("LEADSCORE_BIN", REPO / "build/release/apps/leadscore/leadscore"))
TRAINER = "leadscore-e2e"  # the login name the runs are logged under (mlflow.user)
SEED_PARAMS = {"max_depth": "5", "learning_rate": "0.1", "n_estimators": "100",
               "objective": "binary:logistic", "eval_metric": "auc", "random_state": "42"}


def run(*command: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900,
                            **kwargs, check=False)  # type: ignore[call-overload]
    if check:
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def mart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20,000-lead mart export; its raw/ folder holds truth.csv."""
    root = tmp_path_factory.mktemp("mart")
    run(str(BINARY), "generate", "--rows", "20000", "--seed", "11", "--out", str(root / "raw"))
    run(str(REPO / "scripts/load_duckdb"), "--raw", str(root / "raw"), "--warehouse",
        str(root / "warehouse.duckdb"), "--features-out", str(root / "features.csv"))
    return root


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as server:
        mlflow.set_tracking_uri(server.url)
        yield server.url


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ml") / "lead_scoring_model.json"


def train(mart: Path, tracking: str, model_file: Path, *args: str,
          check: bool = True) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = model_file.parent / "report.json"
    report.unlink(missing_ok=True)
    result = run(str(BINARY), "train", "--data", str(mart / "features.csv"), "--truth",
                 str(mart / "raw/truth.csv"), "--tracking-uri", tracking, "--model-out",
                 str(model_file), "--report-json", str(report), *args, check=check,
                 env={**os.environ, "LOGNAME": TRAINER})
    return result, (json.loads(report.read_text()) if report.exists() else {})


def model_version_of(path: Path) -> str:
    return json.loads(path.read_text())["learner"]["attributes"]["model_version"]


def engine_scores(model: Path, features: Path, out: Path) -> dict[str, float]:
    run(str(BINARY), "score", "--model", str(model), "--in", str(features), "--out", str(out))
    with out.open(newline="") as handle:
        return {row["lead_id"]: float(row["raw_probability"]) for row in csv.DictReader(handle)}


def test_first_run_is_logged_registered_and_promoted(mart: Path, tracking: str,
                                                     model_file: Path) -> None:
    result, report = train(mart, tracking, model_file)
    assert report["promoted"] is True and report["model_version"] == "1"
    assert "there was no champion yet" in result.stdout
    assert "AUC" in result.stdout and "oracle" in result.stdout
    assert model_version_of(model_file) == "1"

    client = MlflowClient(tracking)
    logged = client.get_run(report["run_id"])
    assert logged.info.status == "FINISHED"
    assert {k: logged.data.params[k] for k in SEED_PARAMS} == SEED_PARAMS
    for metric in ("accuracy", "precision", "recall", "f1", "auc", "logloss", "brier",
                   "positive_rate", "auc_oracle", "auc_gap", "accuracy_at_0_5", "f1_at_0_5"):
        assert metric in logged.data.metrics, metric
    # Honest quality: clearly above chance, below the oracle of the synthetic data.
    auc = logged.data.metrics["auc"]
    assert 0.65 < auc < logged.data.metrics["auc_oracle"], logged.data.metrics
    assert logged.data.tags["leadscore.feature_set"] == "base"
    assert len(logged.data.tags["leadscore.data_hash"]) == 16
    assert "mlflow.source.git.commit" in logged.data.tags
    assert logged.data.tags["mlflow.user"] == TRAINER
    assert logged.data.tags["mlflow.source.type"] == "LOCAL"
    assert logged.data.tags["mlflow.source.name"] == "leadscore train"
    experiment = client.get_experiment(logged.info.experiment_id)
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    artifacts = {a.path for a in client.list_artifacts(report["run_id"])}
    assert {"reliability.csv", "feature_importance.json", "calibration.json"} <= artifacts
    assert "lead_scoring_xgb_model" not in artifacts, "the model is a logged model, not run files"

    # The training data, as a dataset input named after the file, its digest the data hash.
    (data_input,) = logged.inputs.dataset_inputs
    dataset = data_input.dataset
    assert (dataset.name, dataset.digest) == ("features", logged.data.tags["leadscore.data_hash"])
    assert {tag.key: tag.value for tag in data_input.tags} == {"mlflow.data.context": "train"}
    assert dataset.source_type == "local"
    assert json.loads(dataset.source) == {"uri": str((mart / "features.csv").resolve())}
    schema = {c["name"]: c["type"] for c in json.loads(dataset.schema)["mlflow_colspec"]}
    assert schema == {"lead_id": "string", "visitor_id": "string", "created_at": "datetime",
                      "sessions": "long", "engaged_sessions": "long", "page_views": "long",
                      "is_first_visit": "long", "channel": "string", "is_won": "long"}
    # The training rows: the 20,000 generated leads but those younger than the label horizon.
    training_rows = len((mart / "features.csv").read_text().splitlines()) - 1
    assert 13000 < training_rows < 17000
    assert json.loads(dataset.profile)["num_rows"] == training_rows

    # The model: an MLflow 3 logged model of the run, READY, with the run's params, the
    # trainer's tags and the test metrics measured on that dataset; version 1 comes from it.
    (model,) = mlflow.search_logged_models(
        experiment_ids=[logged.info.experiment_id],
        filter_string=f"source_run_id = '{report['run_id']}'", output_format="list")
    assert model.model_id == report["model_id"]
    assert model.name == "lead_scoring_xgb_model"
    assert model.status == LoggedModelStatus.READY
    assert model.params == logged.data.params
    assert model.tags["mlflow.user"] == TRAINER
    auc_metric = next(m for m in model.metrics if m.key == "auc")
    assert auc_metric.value == pytest.approx(auc)
    assert (auc_metric.dataset_name, auc_metric.dataset_digest) == (dataset.name, dataset.digest)
    assert [o.model_id for o in logged.outputs.model_outputs] == [model.model_id]
    assert client.get_model_version("lead-scoring", "1").source == f"models:/{model.model_id}"
    versions = json.loads(model.tags["mlflow.modelVersions"])  # set by the server
    assert [(v["name"], str(v["version"])) for v in versions] == [("lead-scoring", "1")]
    assert {a.path for a in client.list_logged_model_artifacts(model.model_id)} >= {
        "MLmodel", "model.json", "input_example.json", "requirements.txt"}

    # Its signature: the booster's input columns (the base set: four, all numbers) and the
    # uncalibrated probability.
    info = get_model_info(f"models:/{model.model_id}")
    assert info.signature.inputs.input_names() == ["sessions", "engaged_sessions", "page_views",
                                                   "is_first_visit"]
    assert {spec.type.name for spec in info.signature.inputs.inputs} == {"double"}
    assert info.signature.outputs.input_names() == ["raw_probability"]
    assert info.metadata["leadscore.lead_fields"] == (
        "sessions, engaged_sessions, page_views, is_first_visit")

    registered = client.get_registered_model("lead-scoring")
    assert registered.aliases == {"champion": "1", "challenger": "1"}

    listing = run(str(REPO / ".venv/bin/mlflow"), "runs", "list", "--experiment-id",
                  logged.info.experiment_id, env={**os.environ, "MLFLOW_TRACKING_URI": tracking})
    assert report["run_id"] in listing.stdout


@pytest.mark.parametrize("address", ["runs", "registered version"])
def test_logged_model_loads_in_python_and_agrees_with_the_engine(mart: Path, tracking: str,
                                                                 model_file: Path,
                                                                 tmp_path: Path,
                                                                 address: str) -> None:
    run_id = MlflowClient(tracking).get_model_version("lead-scoring", "1").run_id
    uri = {"runs": f"runs:/{run_id}/lead_scoring_xgb_model",
           "registered version": "models:/lead-scoring/1"}[address]
    engine = engine_scores(model_file, mart / "features.csv", tmp_path / "scores.csv")
    with (mart / "features.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:2000]
    names = ["sessions", "engaged_sessions", "page_views", "is_first_visit"]
    matrix = np.array([[float(row[n]) for n in names] for row in rows])
    expected = np.array([engine[row["lead_id"]] for row in rows])

    booster = mlflow.xgboost.load_model(uri)
    assert isinstance(booster, xgboost.Booster)
    native = booster.predict(xgboost.DMatrix(matrix, feature_names=names))
    np.testing.assert_allclose(native, expected, atol=1e-6)

    import pandas as pd  # only this test needs it

    pyfunc = mlflow.pyfunc.load_model(uri)
    served = np.asarray(pyfunc.predict(pd.DataFrame(matrix, columns=names)))
    np.testing.assert_allclose(served.ravel(), expected, atol=1e-6)


def test_worse_model_is_refused_and_changes_nothing(mart: Path, tracking: str,
                                                   model_file: Path) -> None:
    before = model_file.read_bytes()
    result, report = train(mart, tracking, model_file, "--n-estimators", "2", "--max-depth", "1")
    assert report["promoted"] is False and report["model_version"] == "2"
    assert "not promoted: the champion stays" in result.stdout
    assert "champion v1" in report["gate_reason"]
    assert model_file.read_bytes() == before
    client = MlflowClient(tracking)
    assert client.get_registered_model("lead-scoring").aliases == {"champion": "1",
                                                                   "challenger": "2"}
    assert client.get_model_version("lead-scoring", "2").tags["leadscore.gate"] == "failed"


def test_channel_model_passes_the_gate(mart: Path, tracking: str, model_file: Path) -> None:
    _, report = train(mart, tracking, model_file, "--features", "base+channel")
    assert report["promoted"] is True, report
    assert model_version_of(model_file) == report["model_version"] == "3"


def test_crash_half_way_changes_nothing(mart: Path, tracking: str, model_file: Path) -> None:
    before = model_file.read_bytes()
    client = MlflowClient(tracking)
    aliases = client.get_registered_model("lead-scoring").aliases
    process = subprocess.Popen(
        [str(BINARY), "train", "--data", str(mart / "features.csv"), "--tracking-uri", tracking,
         "--model-out", str(model_file), "--n-estimators", "100000"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)  # connected, read the data, training
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert model_file.read_bytes() == before
    assert client.get_registered_model("lead-scoring").aliases == aliases
    assert not list(model_file.parent.glob(".*tmp*"))


def test_unreachable_server_stops_before_anything(mart: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    result = run(str(BINARY), "train", "--data", str(mart / "features.csv"), "--tracking-uri",
                 f"http://127.0.0.1:{free_port()}", "--model-out", str(out), check=False)
    assert result.returncode == 1
    assert "cannot reach the MLflow tracking server" in result.stderr
    assert "scripts/run_mlflow_server.sh" in result.stderr
    assert "trained" not in result.stdout  # stopped before training
    assert not out.exists()


def test_without_tracking_writes_a_local_version_and_warns(mart: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    result = run(str(BINARY), "train", "--data", str(mart / "features.csv"), "--tracking-uri",
                 "none", "--model-out", str(out))
    assert "warning: --tracking-uri none" in result.stderr
    assert model_version_of(out).startswith("local-")


def test_olist_time_split_channel_model_beats_chance(tmp_path: Path) -> None:
    run(str(BINARY), "generate", "--source", "olist", "--olist-dir", str(OLIST_DIR),
        "--out", str(tmp_path / "raw"))
    run(str(REPO / "scripts/load_duckdb"), "--raw", str(tmp_path / "raw"), "--warehouse",
        str(tmp_path / "w.duckdb"), "--features-out", str(tmp_path / "features.csv"))
    report = tmp_path / "report.json"
    run(str(BINARY), "train", "--data", str(tmp_path / "features.csv"), "--features",
        "base+channel", "--time-split", "2018-04-01", "--tracking-uri", "none", "--model-out",
        str(tmp_path / "model.json"), "--report-json", str(report))
    metrics = json.loads(report.read_text())["metrics"]
    # Channel alone reaches ~0.61 on this split (docs/data.md); behaviour adds to it.
    assert metrics["auc"] > 0.65, metrics
    assert metrics["test_rows"] == 8000 - 5345


HEADER = "lead_id,email,channel,sessions,engaged_sessions,page_views,is_first_visit,is_won\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lead_id,channel,sessions\nL1,Direct,1\n", "missing column(s)"),
        (HEADER + "L1,a@x,Direct,two,1,3,0,1\n", "line 2, column sessions: 'two' is not a whole number"),
        (HEADER + "L1,a@x,Direct,2,1,-3,0,1\n", "line 2, column page_views: -3 is negative"),
        (HEADER + "L1,a@x,Direct,2,1,3,0,1\nL2,b@x,Email,1,2,3,1,0\n",
         "line 3, column engaged_sessions: 2 exceeds sessions (1)"),
        ("", "is empty"),
        (HEADER, "has a header but no rows"),
        (HEADER + "L1,a@x,Direct,2,1,3,0,0\nL2,b@x,Email,1,1,3,1,0\n", "single class"),
    ],
)
def test_bad_feature_tables_are_named_and_nothing_is_written(tmp_path: Path, content: str,
                                                           message: str) -> None:
    data = tmp_path / "features.csv"
    data.write_text(content)
    out = tmp_path / "model.json"
    result = run(str(BINARY), "train", "--data", str(data), "--tracking-uri", "none",
                 "--model-out", str(out), check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert not out.exists()


def test_recency_model_competes_on_the_same_snapshot_test_rows(
    mart: Path, tracking: str, tmp_path: Path
) -> None:
    # scripts/run's training: every feature set on the point-in-time snapshots, tested on the
    # most recent leads. Its own registered model, so the gate compares only these two.
    reports = {}
    for feature_set in ("base+channel", "base+channel+recency"):
        report = tmp_path / f"{feature_set}.json"
        run(str(BINARY), "train", "--data", str(mart / "lead_snapshots.csv"), "--split",
            "latest", "--features", feature_set, "--truth", str(mart / "raw/truth.csv"),
            "--tracking-uri", tracking, "--model-name", "lead-scoring-pit", "--model-out",
            str(tmp_path / "pit_model.json"), "--report-json", str(report),
            env={**os.environ, "LOGNAME": TRAINER})
        reports[feature_set] = json.loads(report.read_text())
    channel, recency = reports["base+channel"], reports["base+channel+recency"]
    assert channel["promoted"] is True  # the first version of this registered model
    assert recency["promoted"] is True, recency["gate_reason"]
    assert "on the same" in recency["gate_reason"]
    assert f"champion v{channel['model_version']}" in recency["gate_reason"]
    # Against chance and the snapshot oracle of the same rows.
    assert 0.5 < channel["metrics"]["auc"] < recency["metrics"]["auc"]
    assert recency["metrics"]["auc"] < recency["metrics"]["auc_oracle"]
    assert channel["metrics"]["auc_oracle"] == recency["metrics"]["auc_oracle"]
    assert model_version_of(tmp_path / "pit_model.json") == recency["model_version"]
