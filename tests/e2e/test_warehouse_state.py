"""scripts/load_duckdb rebuilds the warehouse from the raw exports and swaps the new file in;
the rescore history (main.lead_score_history, scripts/rescore) exists only in the old file,
so the rebuild must carry it over (scripts/warehouse/carried_state.py): else every daily load
would wipe the earlier days, and trends and movers would never see more than one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
from fixtures.commands import rescore_command, run
from fixtures.mlflow_server import REPO


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def rescore(warehouse: Path, model: Path, day: str) -> None:
    run(*rescore_command(warehouse, model, day))


def test_a_reload_keeps_the_rescore_history_and_the_next_rescore_builds_on_it(
    models: dict[str, Path], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(models["warehouse"], warehouse)
    rescore(warehouse, models["channel"], "2030-01-01")
    history = "select * from main.lead_score_history order by lead_id, scored_at"
    before = query(warehouse, history)
    assert before
    # The write-back's state tables (scripts/daily_writeback) must survive the rebuild too.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table main.hubspot_written as select lead_id, 0.5 as score "
            "from main.lead_score_history limit 3"
        )
        connection.execute("create table main.slack_grade_a_alerts as select 'L1' as lead_id")
        connection.execute("create table main.slack_digests as select date '2030-01-01' as day")
    state = {
        table: query(warehouse, f"select * from main.{table} order by all")
        for table in ("hubspot_written", "slack_grade_a_alerts", "slack_digests")
    }

    loaded = subprocess.run(
        [
            str(REPO / "scripts/load_duckdb"),
            "--raw",
            str(models["warehouse"].parent / "raw"),
            "--warehouse",
            str(warehouse),
            "--features-out",
            str(tmp_path / "features.csv"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert f"kept main.lead_score_history ({len(before)} rows)" in loaded.stderr
    assert query(warehouse, history) == before, "the rebuilt warehouse holds the same history"
    for table, rows in state.items():
        assert query(warehouse, f"select * from main.{table} order by all") == rows, table

    rescore(warehouse, models["channel"], "2030-01-02")
    trends = dict(
        query(
            warehouse,
            "select trend, count(*) from main.lead_score_history "
            "where scored_at::date = '2030-01-02' group by trend",
        )
    )
    assert "new" not in trends, f"the second day compared with the first: {trends}"
    assert sum(trends.values()) == len(before)
