"""The same dbt project on DuckDB and on a real local Spark gives the same warehouse.

One small generated export (2,000 leads: duplicates, sessions across midnight, derived and
last-click channels, young and old leads) is built by scripts/load_duckdb and by
scripts/load_spark (dbt-spark, method session, the machine's Java). The exported training
mart, open leads and point-in-time snapshots must be byte-identical files, and the
dashboard marts built on the same lead scores must hold the same rows, the realized-accuracy
marts included (the training leads' scores are dated to their arrival, so they resolve);
Spark's tables are read from its warehouse folder's Parquet files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from fixtures.commands import run
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO

DASHBOARD_MARTS = (
    "mart_channel_attribution",
    "mart_funnel",
    "mart_score_distribution",
    "scored_leads",
    "fct_score_outcomes",
    "mart_realized_accuracy",
    "mart_realized_accuracy_by_model",
    "mart_calibration",
)


def test_training_mart_is_byte_identical_on_both_engines(engines: dict[str, Path]) -> None:
    duck = (engines["duckdb"] / "features.csv").read_bytes()
    spark = (engines["spark"] / "features.csv").read_bytes()
    assert duck.count(b"\n") > 1000  # the 2,000 leads less the young ones
    assert spark == duck


def test_open_leads_are_byte_identical_on_both_engines(engines: dict[str, Path]) -> None:
    duck = (engines["duckdb"] / "open_leads.csv").read_bytes()
    spark = (engines["spark"] / "open_leads.csv").read_bytes()
    assert duck.count(b"\n") > 100
    assert spark == duck


def test_lead_snapshots_are_byte_identical_on_both_engines(engines: dict[str, Path]) -> None:
    duck = (engines["duckdb"] / "lead_snapshots.csv").read_bytes()
    spark = (engines["spark"] / "lead_snapshots.csv").read_bytes()
    assert duck.count(b"\n") > 1000  # several ages of the older leads
    assert spark == duck


def test_a_parquet_export_builds_the_same_marts_on_spark(
    engines: dict[str, Path], tmp_path: Path
) -> None:
    """The same export as GA4 Parquet files (`generate --format parquet`), which leave out the
    fields the tag never sets (user_id, most of collected_traffic_source), builds on Spark
    the marts DuckDB built from the JSON files."""
    raw = tmp_path / "raw"
    generate = ["generate", "--rows", "2000", "--seed", "3", "--format", "parquet"]
    run(str(BINARY), *generate, "--out", str(raw))
    spark = tmp_path / "spark"
    load = ["--raw", str(raw), "--warehouse", str(spark / "warehouse")]
    run(str(REPO / "scripts/load_spark"), *load, "--features-out", str(spark / "features.csv"))
    for name in ("features.csv", "open_leads.csv", "lead_snapshots.csv"):
        assert (spark / name).read_bytes() == (engines["duckdb"] / name).read_bytes(), name


@pytest.mark.parametrize("mart", DASHBOARD_MARTS)
def test_dashboard_marts_hold_the_same_rows_on_both_engines(
    engines: dict[str, Path], mart: str
) -> None:
    tables = engines["spark"] / "warehouse/tables/main.db"
    with duckdb.connect(str(engines["duckdb"] / "warehouse.duckdb"), read_only=True) as con:
        columns = [row[0] for row in con.execute(f"DESCRIBE main.{mart}").fetchall()]
        order = ", ".join(f'"{column}"' for column in columns)
        on_duckdb = con.execute(f"SELECT {order} FROM main.{mart} ORDER BY ALL").fetchall()
        on_spark = con.execute(
            f"SELECT {order} FROM read_parquet('{tables / mart}/*.parquet') ORDER BY ALL"
        ).fetchall()
    assert len(on_duckdb) > 0
    assert len(on_spark) == len(on_duckdb)
    for spark_row, duck_row in zip(on_spark, on_duckdb, strict=True):
        assert spark_row == pytest.approx(naive_utc(duck_row), rel=1e-9), (
            mart,
            spark_row,
            duck_row,
        )


def naive_utc(row: tuple) -> tuple:
    """DuckDB's lead_scores.scored_at is a TIMESTAMPTZ; Spark's timestamps are UTC without a
    zone: the same instant."""
    return tuple(
        value.astimezone(UTC).replace(tzinfo=None)
        if isinstance(value, datetime) and value.tzinfo
        else value
        for value in row
    )
