"""MLflow for real: the server scripts, the C++ REST client against a real server (checked
with Python mlflow itself), and `leadscore promote` / `leadscore rollback` on a real registry.

One isolated server per module (free port, temporary state directory), always stopped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import mlflow.data
import mlflow.pyfunc
import mlflow.xgboost
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from fixtures.mlflow_server import RUN_SCRIPT, STOP_SCRIPT, MlflowServer, free_port, mlflow_server
from mlflow.entities import LoggedModelStatus
from mlflow.exceptions import MlflowException
from mlflow.models import get_model_info
from mlflow.tracking import MlflowClient

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LEADSCORE_BIN", REPO / "build/release/apps/leadscore/leadscore"))
TESTS_BINARY = Path(
    os.environ.get("LEADSCORE_TESTS_BIN", REPO / "build/dev/src/tests/leadscore_tests")
)
MODEL_NAME = "lead-scoring"
FEATURES = ["sessions", "engaged_sessions", "page_views", "is_first_visit"]
TOLERANCE = 1e-6

log = logging.getLogger(__name__)

# xgboost 1.7.6 (pinned: it reads and writes the model format of the engine's libxgboost 1.7)
# calls pandas helpers that pandas 3 deprecates; they work, and the noise hides real warnings.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


def lead_frame() -> pd.DataFrame:
    """30 leads whose outcome follows their engagement, in the feature table's columns."""
    rng = np.random.default_rng(42)
    sessions = rng.integers(1, 12, size=30)
    engaged = np.minimum(sessions, rng.integers(0, 8, size=30))
    frame = pd.DataFrame(
        {
            "sessions": sessions,
            "engaged_sessions": engaged,
            "page_views": sessions * 2 + rng.integers(0, 5, size=30),
            "is_first_visit": rng.integers(0, 2, size=30),
        }
    ).astype("float64")
    frame["is_won"] = (engaged + rng.normal(0, 1, size=30) > 3).astype(int)
    return frame


def predict(booster: xgb.Booster, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(booster.predict(xgb.DMatrix(frame[FEATURES])), dtype=np.float64)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as running:
        previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(running.url)
        try:
            yield running
        finally:
            mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module")
def client(server: MlflowServer) -> MlflowClient:
    return MlflowClient(tracking_uri=server.url)


@pytest.fixture(scope="module")
def versions(server: MlflowServer) -> dict[str, np.ndarray]:
    """Two versions of `lead-scoring` logged by Python mlflow: version -> its predictions."""
    frame = lead_frame()
    mlflow.set_experiment("e2e registry")
    predictions: dict[str, np.ndarray] = {}
    for depth, rounds in ((1, 2), (3, 6)):  # two different models
        booster = xgb.train(
            {"objective": "binary:logistic", "max_depth": depth, "seed": 42},
            xgb.DMatrix(frame[FEATURES], label=frame["is_won"]),
            num_boost_round=rounds,
        )
        with mlflow.start_run():
            info = mlflow.xgboost.log_model(
                booster,
                name="lead_scoring_xgb_model",
                model_format="json",
                input_example=frame[FEATURES].head(3),
                registered_model_name=MODEL_NAME,
                pip_requirements=["xgboost==1.7.6"],  # skips requirement inference: faster
            )
        predictions[str(info.registered_model_version)] = predict(booster, frame)
    assert sorted(predictions) == ["1", "2"]
    assert np.max(np.abs(predictions["1"] - predictions["2"])) > 0.01
    return predictions


@pytest.fixture()
def fresh_registry(client: MlflowClient, versions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """No champion and no champion history, whatever an earlier test left."""
    with contextlib.suppress(MlflowException):
        client.delete_registered_model_alias(MODEL_NAME, "champion")
    with contextlib.suppress(MlflowException):
        client.delete_registered_model_tag(MODEL_NAME, "leadscore.champion_history")
    return versions


def leadscore(
    *args: str, tracking_uri: str, model_out: Path, model_name: str = MODEL_NAME
) -> subprocess.CompletedProcess[str]:
    command = [
        str(BINARY),
        *args,
        "--tracking-uri",
        tracking_uri,
        "--model-name",
        model_name,
        "--model-out",
        str(model_out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    log.info("%s -> %d\n%s%s", " ".join(args), result.returncode, result.stdout, result.stderr)
    return result


def installed_version(model_out: Path) -> str:
    return str(json.loads(model_out.read_text())["learner"]["attributes"]["model_version"])


def assert_installed(model_out: Path, version: str, expected: np.ndarray) -> None:
    assert installed_version(model_out) == version
    booster = xgb.Booster(model_file=str(model_out))
    assert booster.attr("model_version") == version
    assert np.max(np.abs(predict(booster, lead_frame()) - expected)) < TOLERANCE


def champion(client: MlflowClient) -> str:
    return str(client.get_model_version_by_alias(MODEL_NAME, "champion").version)


# --- the server scripts ------------------------------------------------------------------------


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def test_server_scripts_start_once_and_stop_everything(tmp_path: Path) -> None:
    port = free_port()
    server = MlflowServer(url=f"http://127.0.0.1:{port}", port=port, state_dir=tmp_path)
    try:
        first = server.run_script(RUN_SCRIPT)
        assert first.returncode == 0, first.stderr
        assert "ready" in first.stderr
        assert health(server.url)
        assert (tmp_path / "mlflow.db").exists()
        pid = int(server.pid_file.read_text())

        again = server.run_script(RUN_SCRIPT)
        assert again.returncode == 0, again.stderr
        assert "already running" in again.stderr
        assert int(server.pid_file.read_text()) == pid
    finally:
        stopped = server.run_script(STOP_SCRIPT)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stderr
    assert not health(server.url)
    assert not server.pid_file.exists()
    with pytest.raises(ProcessLookupError):  # the server and every worker of its group
        os.killpg(pid, 0)

    twice = server.run_script(STOP_SCRIPT)
    assert twice.returncode == 0
    assert "not running" in twice.stderr


# --- leadscore promote / rollback on a registry filled by Python mlflow --------------------------


def test_promote_points_champion_at_the_version_and_installs_its_model(
    server: MlflowServer,
    client: MlflowClient,
    fresh_registry: dict[str, np.ndarray],
    tmp_path: Path,
) -> None:
    model_out = tmp_path / "ml/lead_scoring_model.json"
    result = leadscore("promote", "1", tracking_uri=server.url, model_out=model_out)
    assert result.returncode == 0, result.stderr
    assert "from no champion to version 1" in result.stdout
    assert champion(client) == "1"
    assert_installed(model_out, "1", fresh_registry["1"])
    registered = mlflow.xgboost.load_model(f"models:/{MODEL_NAME}/1")
    installed = xgb.Booster(model_file=str(model_out))
    frame = lead_frame()
    assert np.max(np.abs(predict(installed, frame) - predict(registered, frame))) < TOLERANCE
    assert not [p.name for p in model_out.parent.iterdir() if p.name != model_out.name]


def test_promote_then_rollback_returns_to_the_previous_champion(
    server: MlflowServer,
    client: MlflowClient,
    fresh_registry: dict[str, np.ndarray],
    tmp_path: Path,
) -> None:
    model_out = tmp_path / "lead_scoring_model.json"
    assert leadscore("promote", "1", tracking_uri=server.url, model_out=model_out).returncode == 0
    promoted = leadscore("promote", "2", tracking_uri=server.url, model_out=model_out)
    assert promoted.returncode == 0, promoted.stderr
    assert "from version 1 to version 2" in promoted.stdout
    assert champion(client) == "2"
    assert_installed(model_out, "2", fresh_registry["2"])

    rolled_back = leadscore("rollback", tracking_uri=server.url, model_out=model_out)
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert "from version 2 to version 1" in rolled_back.stdout
    assert champion(client) == "1"
    assert_installed(model_out, "1", fresh_registry["1"])


def test_rollback_without_history_fails_and_changes_nothing(
    server: MlflowServer,
    client: MlflowClient,
    fresh_registry: dict[str, np.ndarray],
    tmp_path: Path,
) -> None:
    model_out = tmp_path / "lead_scoring_model.json"
    assert leadscore("promote", "2", tracking_uri=server.url, model_out=model_out).returncode == 0
    before = model_out.read_bytes()

    result = leadscore("rollback", tracking_uri=server.url, model_out=model_out)
    assert result.returncode == 1
    assert "no previous champion" in result.stderr
    assert "leadscore promote VERSION" in result.stderr
    assert champion(client) == "2"
    assert model_out.read_bytes() == before


def test_promote_of_a_missing_version_fails_and_changes_nothing(
    server: MlflowServer,
    client: MlflowClient,
    fresh_registry: dict[str, np.ndarray],
    tmp_path: Path,
) -> None:
    model_out = tmp_path / "lead_scoring_model.json"
    assert leadscore("promote", "1", tracking_uri=server.url, model_out=model_out).returncode == 0
    before = model_out.read_bytes()

    result = leadscore("promote", "99", tracking_uri=server.url, model_out=model_out)
    assert result.returncode == 1
    assert "promoting version 99 of 'lead-scoring'" in result.stderr
    assert "RESOURCE_DOES_NOT_EXIST" in result.stderr
    assert champion(client) == "1"
    assert model_out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [model_out.name]


def test_unreachable_tracking_server_says_how_to_start_one(tmp_path: Path) -> None:
    model_out = tmp_path / "lead_scoring_model.json"
    model_out.write_text("previous model")
    nowhere = f"http://127.0.0.1:{free_port()}"
    for args in (("promote", "1"), ("rollback",)):
        result = leadscore(*args, tracking_uri=nowhere, model_out=model_out)
        assert result.returncode == 1
        assert nowhere in result.stderr
        assert "scripts/run_mlflow_server.sh" in result.stderr
    assert model_out.read_text() == "previous model"


# --- the C++ client logging a run (src/tracking/mlflow_live_test.cc) -----------------------------


@dataclass(frozen=True)
class CppRun:
    run_id: str
    experiment_id: str
    model_id: str
    model_name: str
    version: str
    dataset_name: str
    dataset_digest: str
    frame: pd.DataFrame
    probabilities: np.ndarray


@pytest.fixture(scope="module")
def cpp_run(server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> CppRun:
    out = tmp_path_factory.mktemp("cpp_run") / "logged.json"
    env = {
        **os.environ,
        "LEADSCORE_MLFLOW_TEST_URI": server.url,
        "LEADSCORE_MLFLOW_TEST_OUT": str(out),
    }
    result = subprocess.run(
        [str(TESTS_BINARY), "--gtest_filter=MlflowLive*"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[  PASSED  ] 1 test" in result.stdout, result.stdout
    assert "SKIPPED" not in result.stdout, result.stdout
    logged: dict[str, Any] = json.loads(out.read_text())
    frame = pd.DataFrame(
        np.asarray(logged["rows"], dtype=np.int64), columns=logged["feature_names"]
    )
    return CppRun(
        run_id=logged["run_id"],
        experiment_id=logged["experiment_id"],
        model_id=logged["model_id"],
        model_name=logged["model_name"],
        version=logged["version"],
        dataset_name=logged["dataset_name"],
        dataset_digest=logged["dataset_digest"],
        frame=frame,
        probabilities=np.asarray(logged["probabilities"], dtype=np.float64),
    )


@pytest.mark.parametrize("address", ["runs", "logged model", "registered version"])
def test_cpp_logged_model_loads_in_mlflow_and_predicts_the_engines_probabilities(
    cpp_run: CppRun, address: str
) -> None:
    uri = {
        "runs": f"runs:/{cpp_run.run_id}/lead_scoring_xgb_model",
        "logged model": f"models:/{cpp_run.model_id}",
        "registered version": f"models:/{cpp_run.model_name}/{cpp_run.version}",
    }[address]
    booster = mlflow.xgboost.load_model(uri)
    assert isinstance(booster, xgb.Booster)
    booster_probabilities = np.asarray(
        booster.predict(xgb.DMatrix(cpp_run.frame)), dtype=np.float64
    )
    assert np.max(np.abs(booster_probabilities - cpp_run.probabilities)) < TOLERANCE

    pyfunc = mlflow.pyfunc.load_model(uri)
    pyfunc_probabilities = np.asarray(pyfunc.predict(cpp_run.frame), dtype=np.float64)
    assert np.max(np.abs(pyfunc_probabilities - cpp_run.probabilities)) < TOLERANCE
    assert ((pyfunc_probabilities > 0) & (pyfunc_probabilities < 1)).all()  # probabilities
    assert pyfunc.metadata.get_input_schema().input_names() == list(cpp_run.frame.columns)
    example = pyfunc.input_example
    assert example is not None
    assert list(example.columns) == list(cpp_run.frame.columns)


def test_cpp_logged_model_is_an_mlflow3_logged_model_of_the_run(
    client: MlflowClient, cpp_run: CppRun
) -> None:
    found = mlflow.search_logged_models(
        experiment_ids=[cpp_run.experiment_id],
        filter_string=f"source_run_id = '{cpp_run.run_id}'",
        output_format="list",
    )
    assert [model.model_id for model in found] == [cpp_run.model_id]
    model = found[0]
    assert model.name == "lead_scoring_xgb_model"
    assert model.status == LoggedModelStatus.READY
    assert model.params == {"max_depth": "2", "n_estimators": "2", "objective": "binary:logistic"}
    assert model.tags["mlflow.user"] == "gtest"
    linked = {metric.key: metric for metric in model.metrics or []}
    assert linked.keys() == {"auc", "logloss"}
    assert linked["auc"].value == pytest.approx(0.875)
    assert linked["auc"].dataset_name == cpp_run.dataset_name
    assert linked["auc"].dataset_digest == cpp_run.dataset_digest

    run = client.get_run(cpp_run.run_id)
    assert [output.model_id for output in run.outputs.model_outputs] == [cpp_run.model_id]
    version = client.get_model_version(cpp_run.model_name, cpp_run.version)
    assert version.source == f"models:/{cpp_run.model_id}"
    assert version.run_id == cpp_run.run_id
    versions = json.loads(model.tags["mlflow.modelVersions"])  # set by the server
    assert [(v["name"], str(v["version"])) for v in versions] == [
        (cpp_run.model_name, cpp_run.version)
    ]

    signature = get_model_info(f"models:/{cpp_run.model_id}").signature
    assert signature is not None
    assert signature.inputs.input_names() == list(cpp_run.frame.columns)
    assert [spec.type.name for spec in signature.inputs.inputs] == ["long"] * 3
    assert signature.outputs.input_names() == ["raw_probability"]
    experiment = client.get_experiment(cpp_run.experiment_id)
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"


def test_cpp_logged_run_reads_its_dataset(client: MlflowClient, cpp_run: CppRun) -> None:
    inputs = client.get_run(cpp_run.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    dataset = inputs[0].dataset
    assert (dataset.name, dataset.digest) == (cpp_run.dataset_name, cpp_run.dataset_digest)
    assert dataset.source_type == "local"
    assert json.loads(dataset.source)["uri"].endswith("/tiny_leads.csv")
    assert [column["name"] for column in json.loads(dataset.schema)["mlflow_colspec"]] == list(
        cpp_run.frame.columns
    )
    assert json.loads(dataset.profile) == {"num_rows": 20, "num_elements": 60}
    assert {tag.key: tag.value for tag in inputs[0].tags} == {"mlflow.data.context": "train"}
    # mlflow's own reader of the entity understands it.
    source = mlflow.data.get_source(inputs[0])
    assert source.uri.endswith("/tiny_leads.csv")


def test_cpp_logged_run_has_its_params_metrics_and_tags(cpp_run: CppRun) -> None:
    run = mlflow.get_run(cpp_run.run_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "live-test"
    assert run.data.params == {
        "max_depth": "2",
        "n_estimators": "2",
        "objective": "binary:logistic",
    }
    assert run.data.metrics["auc"] == pytest.approx(0.875)
    assert run.data.metrics["logloss"] == pytest.approx(0.5)
    history = MlflowClient().get_metric_history(cpp_run.run_id, "train_loss")
    assert [m.step for m in history] == [0, 1, 2]
    assert run.data.tags["feature_set"] == "base"
    assert run.data.tags["source"] == "gtest"


def test_cpp_logged_run_is_listed_by_the_mlflow_cli(server: MlflowServer, cpp_run: CppRun) -> None:
    mlflow_cli = Path(sys.executable).parent / "mlflow"
    result = subprocess.run(
        [str(mlflow_cli), "runs", "list", "--experiment-id", cpp_run.experiment_id],
        env={**os.environ, "MLFLOW_TRACKING_URI": server.url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert cpp_run.run_id in result.stdout
    assert "live-test" in result.stdout


def test_promote_installs_a_model_logged_by_the_cpp_client(
    server: MlflowServer, client: MlflowClient, cpp_run: CppRun, tmp_path: Path
) -> None:
    model_out = tmp_path / "lead_scoring_model.json"
    result = leadscore(
        "promote",
        cpp_run.version,
        tracking_uri=server.url,
        model_out=model_out,
        model_name=cpp_run.model_name,
    )
    assert result.returncode == 0, result.stderr
    assert installed_version(model_out) == cpp_run.version
    booster = xgb.Booster(model_file=str(model_out))
    probabilities = np.asarray(booster.predict(xgb.DMatrix(cpp_run.frame)), dtype=np.float64)
    assert np.max(np.abs(probabilities - cpp_run.probabilities)) < TOLERANCE
    version = client.get_model_version_by_alias(cpp_run.model_name, "champion")
    assert str(version.version) == cpp_run.version
