"""Fixtures shared by several end-to-end test modules."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fixtures.browser import SCREENSHOTS
from fixtures.commands import run
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO
from fixtures.realized import build_realized
from fixtures.score_history import build_score_history
from http_reference import STRICTER_SEEN


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two models of one mart: 'channel' (base+channel) and 'base' (threshold 0.2, so that
    both labels occur), plus 'corrupt', a file that is not a model."""
    root = tmp_path_factory.mktemp("serve-models")
    run(str(BINARY), "generate", "--rows", "20000", "--seed", "5", "--out", str(root / "raw"))
    run(
        str(REPO / "scripts/load_duckdb"),
        "--raw",
        str(root / "raw"),
        "--warehouse",
        str(root / "warehouse.duckdb"),
        "--features-out",
        str(root / "features.csv"),
    )
    run(
        str(BINARY),
        "train",
        "--data",
        str(root / "features.csv"),
        "--features",
        "base+channel",
        "--tracking-uri",
        "none",
        "--model-out",
        str(root / "channel.json"),
    )
    run(
        str(BINARY),
        "train",
        "--data",
        str(root / "features.csv"),
        "--features",
        "base",
        "--threshold",
        "0.2",
        "--tracking-uri",
        "none",
        "--model-out",
        str(root / "base.json"),
    )
    (root / "corrupt.json").write_text('{"learner": {"attributes": ')
    return {
        "channel": root / "channel.json",
        "base": root / "base.json",
        "corrupt": root / "corrupt.json",
        "features": root / "features.csv",
        "warehouse": root / "warehouse.duckdb",
    }


@pytest.fixture(scope="session")
def dashboard(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The `models` warehouse scored by the channel model (scripts/score_warehouse) with its
    dashboard marts built and exported (scripts/build_dashboard): what scripts/run leaves."""
    root = tmp_path_factory.mktemp("dashboard")
    run(
        str(REPO / "scripts/score_warehouse"),
        "--warehouse",
        str(models["warehouse"]),
        "--model",
        str(models["channel"]),
    )
    run(
        str(REPO / "scripts/build_dashboard"),
        "--warehouse",
        str(models["warehouse"]),
        "--out",
        str(root / "dashboard.json"),
    )
    return {
        "warehouse": models["warehouse"],
        "data": root / "dashboard.json",
        "model": models["channel"],
    }


@pytest.fixture(scope="session")
def realized(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Served scores recorded, loaded and joined with outcomes (fixtures/realized.py)."""
    return build_realized(models, tmp_path_factory.mktemp("realized"))


@pytest.fixture(scope="session")
def score_history(
    models: dict[str, Path], realized: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """A week of daily rescores with outcomes, in the realized warehouse, built into the
    dashboard marts and exported (fixtures/score_history.py)."""
    return build_score_history(models, realized, tmp_path_factory.mktemp("score-history"))


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small export (2,000 leads) built on DuckDB and on a local Spark (its warehouse in
    spark/warehouse, the exported mart in spark/features.csv): test_spark_mart compares the
    two, test_spark_train trains on the Spark one."""
    assert shutil.which("java"), "java is missing: run scripts/setup --test"
    root = tmp_path_factory.mktemp("engines")
    raw = root / "raw"
    run(str(BINARY), "generate", "--rows", "2000", "--seed", "3", "--out", str(raw))
    duck = root / "duckdb"
    run(
        str(REPO / "scripts/load_duckdb"),
        "--raw",
        str(raw),
        "--warehouse",
        str(duck / "warehouse.duckdb"),
        "--features-out",
        str(duck / "features.csv"),
    )
    run(
        str(BINARY),
        "train",
        "--data",
        str(duck / "features.csv"),
        "--features",
        "base+channel",
        "--tracking-uri",
        "none",
        "--model-out",
        str(root / "model.json"),
    )
    run(
        str(REPO / "scripts/score_warehouse"),
        "--warehouse",
        str(duck / "warehouse.duckdb"),
        "--model",
        str(root / "model.json"),
    )
    # The training leads' scores moved to one hour after each lead's creation, as if scored on
    # arrival: predictions whose outcomes the CRM reported since, so the realized-accuracy
    # marts (models/monitoring/) have rows on both engines. A score made now precedes no
    # outcome; the open leads keep theirs (unresolved).
    with duckdb.connect(str(duck / "warehouse.duckdb")) as connection:
        connection.execute("""
            update main.lead_scores as s
            set scored_at = timezone('UTC', f.created_at + interval 1 hour)
            from main.fct_lead_scoring_features as f where f.lead_id = s.lead_id""")
    run(
        str(REPO / "scripts/build_dashboard"),
        "--warehouse",
        str(duck / "warehouse.duckdb"),
        "--out",
        str(duck / "dashboard.json"),
    )
    scores = root / "lead_scores.csv"
    with duckdb.connect(str(duck / "warehouse.duckdb"), read_only=True) as connection:
        connection.execute(f"COPY main.lead_scores TO '{scores}' (HEADER)")

    spark = root / "spark"
    result = run(
        str(REPO / "scripts/load_spark"),
        "--raw",
        str(raw),
        "--warehouse",
        str(spark / "warehouse"),
        "--features-out",
        str(spark / "features.csv"),
        "--lead-scores",
        str(scores),
    )
    assert "run on Spark" in result.stdout
    return {"duckdb": duck, "spark": spark, "raw": raw}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the browser tests saved their screenshots (pytest keeps its last 3 tmp dirs), and
    the framing cases where leadscore is deliberately stricter than Node."""
    if SCREENSHOTS:
        terminalreporter.section("browser screenshots")
        for screenshot in SCREENSHOTS:
            terminalreporter.write_line(screenshot)
    if STRICTER_SEEN:
        terminalreporter.section("HTTP framing: leadscore refuses what Node's parser reads")
        for name, reason in STRICTER_SEEN:
            terminalreporter.write_line(f"{name}: {reason}")
