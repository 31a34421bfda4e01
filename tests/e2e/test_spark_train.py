"""The model fitted on Spark (xgboost.spark) goes the C++ model's way and serves exactly.

On the small Spark mart of test_spark_mart (the shared `engines` fixture), the engine trains
version 1 as usual; scripts/train_spark then fits the booster with XGBoost's own Spark
estimator on a real local Spark and publishes it through `leadscore train --booster`: an MLflow
run tagged with its trainer, with the seed's parameters, registry version 2, gated against
version 1 on the same test rows. `leadscore serve` serves version 2 from the registry, and the
engine's own tree evaluator agrees with Python's xgboost on the same rows within 1e-6.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import mlflow
import numpy as np
import pytest
import requests
import xgboost
from fixtures.commands import run
from fixtures.leadscore_server import BINARY, leadscore_server
from fixtures.mlflow_server import REPO, mlflow_server
from mlflow import MlflowClient

SEED_PARAMS = {
    "max_depth": "5",
    "learning_rate": "0.1",
    "n_estimators": "100",
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "random_state": "42",
}
FEATURES = "base+channel"


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow-spark")) as server:
        mlflow.set_tracking_uri(server.url)
        yield server.url


@pytest.fixture(scope="module")
def published(
    engines: dict[str, Path], tracking: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """Version 1 fitted by the engine, version 2 by xgboost.spark; their train reports."""
    root = tmp_path_factory.mktemp("spark-train")
    data = engines["spark"] / "features.csv"
    publish = ["--tracking-uri", tracking, "--model-out", str(root / "model.json")]
    run(
        str(BINARY),
        "train",
        "--data",
        str(data),
        "--features",
        FEATURES,
        *publish,
        "--report-json",
        str(root / "engine.json"),
    )
    result = run(
        str(REPO / "scripts/train_spark"),
        "--warehouse",
        str(engines["spark"] / "warehouse"),
        "--data",
        str(data),
        "--features",
        FEATURES,
        "--plan-dir",
        str(root / "plan"),
        "--leadscore",
        str(BINARY),
        "--",
        *publish,
        "--report-json",
        str(root / "spark.json"),
    )
    assert "with xgboost.spark on" in result.stdout
    return {
        "root": root,
        "data": data,
        "stdout": result.stdout,
        "engine": json.loads((root / "engine.json").read_text()),
        "spark": json.loads((root / "spark.json").read_text()),
    }


def test_spark_model_is_logged_registered_and_gated_like_the_engines(
    published: dict[str, object], tracking: str
) -> None:
    engine, spark = published["engine"], published["spark"]
    assert (engine["model_version"], spark["model_version"]) == ("1", "2")
    client = MlflowClient(tracking)
    runs = {
        version: client.get_run(report["run_id"])
        for version, report in (("1", engine), ("2", spark))
    }
    assert runs["1"].data.tags["leadscore.trainer"] == "leadscore"
    assert runs["2"].data.tags["leadscore.trainer"] == "xgboost.spark"
    params = runs["2"].data.params
    assert {key: params[key] for key in SEED_PARAMS} == SEED_PARAMS
    assert params["trainer"] == "xgboost.spark" and "nthread" not in params
    # The same metrics, measured by the engine on the same test rows.
    assert runs["2"].data.metrics["test_rows"] == runs["1"].data.metrics["test_rows"]
    # One worker, the same rows and parameters, the same XGBoost: the same trees as the
    # engine's (measured), so the same AUC, and the gate promotes it.
    assert runs["2"].data.metrics["auc"] == pytest.approx(runs["1"].data.metrics["auc"], abs=1e-9)
    assert spark["promoted"] is True
    # Gated against version 1: the champion's AUC on this run's test rows is logged, the
    # decision is tagged on the version, and the alias follows the decision.
    assert "champion_auc" in runs["2"].data.metrics
    version = client.get_model_version("lead-scoring", "2")
    assert version.tags["leadscore.gate"] == ("passed" if spark["promoted"] else "failed")
    aliases = client.get_registered_model("lead-scoring").aliases
    assert aliases["challenger"] == "2"
    assert aliases["champion"] == ("2" if spark["promoted"] else "1")
    # The logged model is MLflow's xgboost flavour like the engine's.
    booster = mlflow.xgboost.load_model("models:/lead-scoring/2")
    assert booster.attr("leadscore_trainer") == "xgboost.spark"
    assert booster.num_boosted_rounds() == 100


def test_a_booster_from_another_split_is_refused(
    published: dict[str, object], tmp_path: Path
) -> None:
    # One lead fewer: another split, so the booster fitted on the plan's split must not pass.
    lines = Path(published["data"]).read_text().splitlines(keepends=True)
    (tmp_path / "features.csv").write_text("".join(lines[:-1]))
    result = subprocess.run(
        [
            str(BINARY),
            "train",
            "--data",
            str(tmp_path / "features.csv"),
            "--features",
            FEATURES,
            "--booster",
            str(published["root"] / "plan/booster.json"),
            "--tracking-uri",
            "none",
            "--model-out",
            str(tmp_path / "refused.json"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "but this run's split is" in result.stderr
    assert not (tmp_path / "refused.json").exists()


def test_served_spark_model_matches_python_xgboost_exactly(
    published: dict[str, object], tracking: str, tmp_path: Path
) -> None:
    with (published["data"]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    booster = mlflow.xgboost.load_model("models:/lead-scoring/2")
    names = booster.feature_names
    matrix = np.array(
        [[encode(row, name, names) for name in names] for row in rows], dtype=np.float32
    )
    python = booster.predict(xgboost.DMatrix(matrix, feature_names=names)).astype(np.float64)

    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking}
    with leadscore_server(
        tmp_path, "--model-uri", "models:/lead-scoring/2", "--tracking-uri", tracking, env=env
    ) as server:
        model = requests.get(f"{server.url}/model", timeout=10).json()
        assert model["model_version"] == "2"
        served = np.array([score(server.url, row) for row in rows[:200]])
    # The batch engine on the registered files (the same evaluator the server compiles).
    files = Path(
        mlflow.artifacts.download_artifacts("models:/lead-scoring/2", dst_path=str(tmp_path / "v2"))
    )
    run(
        str(BINARY),
        "score",
        "--model",
        str(files / "model.json"),
        "--in",
        str(published["data"]),
        "--out",
        str(tmp_path / "scores.csv"),
    )
    with (tmp_path / "scores.csv").open(newline="") as handle:
        scored = {row["lead_id"]: row for row in csv.DictReader(handle)}
    raw = np.array([float(scored[row["lead_id"]]["raw_probability"]) for row in rows])
    calibrated = np.array([float(scored[row["lead_id"]]["score"]) for row in rows[:200]])
    np.testing.assert_allclose(raw, python, rtol=0, atol=1e-6)
    np.testing.assert_allclose(served, calibrated, rtol=0, atol=1e-6)
    assert len(set(np.round(raw, 6))) > 10, "scores should vary with the lead"


def encode(row: dict[str, str], name: str, names: list[str]) -> float:
    """One booster column of a mart row as the feature spec encodes it (channel one-hot)."""
    if name.startswith("channel="):
        channel = row["channel"] if f"channel={row['channel']}" in names else "Unassigned"
        return float(name == f"channel={channel}")
    return float(row[name])


def score(url: str, row: dict[str, str]) -> float:
    lead = {
        "sessions": int(row["sessions"]),
        "engaged_sessions": int(row["engaged_sessions"]),
        "page_views": int(row["page_views"]),
        "channel": row["channel"],
        "is_first_visit": row["is_first_visit"] == "1",
    }
    answer = requests.post(f"{url}/score", json=lead, timeout=10)
    assert answer.status_code == 200, answer.text
    return float(answer.json()["score"])
