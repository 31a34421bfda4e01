"""scripts/rescore end to end on a real dbt-built warehouse and a model trained by the engine:
one row per open lead and day in main.lead_score_history (grade, trend, reasons), reruns that
replace instead of duplicating, trends that follow what a lead did since its last score,
leads that leave the open set, and failures that leave the history as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fixtures.commands import rescore_command
from fixtures.mlflow_server import REPO

OPEN_LEADS = "main.fct_open_leads"
HISTORY = "main.lead_score_history"


@pytest.fixture
def warehouse(models: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the session's warehouse: each test writes its own history."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(models["warehouse"], copy)
    return copy


def rescore(warehouse: Path, model: Path, scored_at: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        rescore_command(warehouse, model, scored_at),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def rescored(warehouse: Path, model: Path, scored_at: str) -> None:
    result = rescore(warehouse, model, scored_at)
    assert result.returncode == 0, result.stderr


def query(warehouse: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def history_on(warehouse: Path, day: str) -> dict[str, tuple[Any, ...]]:
    """lead_id -> (score, grade, trend, reasons, alert, scored_at) of `day`."""
    rows = query(
        warehouse,
        f"SELECT lead_id, score, grade, trend, reasons, alert, scored_at "
        f"FROM {HISTORY} WHERE scored_at::DATE = ?::DATE",
        day,
    )
    return {row[0]: row[1:] for row in rows}


def edit_open_leads(warehouse: Path, edit: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Runs `edit` on a writable table copy of fct_open_leads (dbt may build it as a view)."""
    with duckdb.connect(str(warehouse)) as con:
        (kind,) = con.execute(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_name = 'fct_open_leads'"
        ).fetchone()
        con.execute(f"CREATE TEMP TABLE snapshot AS SELECT * FROM {OPEN_LEADS}")
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {OPEN_LEADS}")
        con.execute(f"CREATE TABLE {OPEN_LEADS} AS SELECT * FROM snapshot")
        edit(con)


def test_every_open_lead_gets_one_graded_row_per_day_and_reruns_replace_it(
    warehouse: Path, models: dict[str, Path]
) -> None:
    model = models["channel"]
    rescored(warehouse, model, "2024-06-01T06:00:00")
    first = history_on(warehouse, "2024-06-01")
    open_ids = {row[0] for row in query(warehouse, f"SELECT lead_id FROM {OPEN_LEADS}")}
    assert len(open_ids) > 100 and set(first) == open_ids
    version = json.loads(model.read_text())["learner"]["attributes"]["model_version"]
    assert {row[0] for row in query(warehouse, f"SELECT model_version FROM {HISTORY}")} == {version}
    grades = {row[1] for row in first.values()}
    assert grades <= set("ABCD") and {"A", "D"} <= grades
    assert {row[2] for row in first.values()} == {"new"}
    for score, grade, _, reasons, alert, _ in first.values():
        assert len(json.loads(reasons)) == 3
        assert alert == (grade == "A" or score > 0.8)

    result = rescore(warehouse, model, "2024-06-01T18:30:00")
    assert result.returncode == 0, result.stderr
    again = history_on(warehouse, "2024-06-01")
    assert set(again) == open_ids
    assert query(warehouse, f"SELECT count(*) FROM {HISTORY}") == [(len(open_ids),)]
    assert {row[5].hour for row in again.values()} == {18}
    assert {k: v[:4] for k, v in again.items()} == {k: v[:4] for k, v in first.items()}


def test_trend_follows_what_a_lead_did_since_its_last_score(
    warehouse: Path, models: dict[str, Path]
) -> None:
    model = models["channel"]
    rescored(warehouse, model, "2024-06-01")
    day1 = history_on(warehouse, "2024-06-01")
    cold = min(day1, key=lambda lead: (day1[lead][0], lead))  # lowest score: grade D
    hot = max(day1, key=lambda lead: (day1[lead][0], lead))  # highest: grade A
    gone = min(set(day1) - {cold, hot})
    assert day1[cold][1] == "D" and day1[hot][1] == "A"

    def comeback(con: duckdb.DuckDBPyConnection) -> None:
        # The cold lead came back: ten engaged sessions with many page views; the hot one went
        # quiet (its engagement was overstated); `gone` closed and left the open set.
        con.execute(
            f"UPDATE {OPEN_LEADS} SET sessions = sessions + 10, engaged_sessions = "
            "engaged_sessions + 10, page_views = page_views + 80, is_first_visit = 0 "
            "WHERE lead_id = ?",
            [cold],
        )
        con.execute(
            f"UPDATE {OPEN_LEADS} SET engaged_sessions = 0, page_views = 1 WHERE lead_id = ?", [hot]
        )
        con.execute(f"DELETE FROM {OPEN_LEADS} WHERE lead_id = ?", [gone])

    edit_open_leads(warehouse, comeback)
    rescored(warehouse, model, "2024-06-02")
    day2 = history_on(warehouse, "2024-06-02")
    assert gone not in day2 and set(day2) == set(day1) - {gone}
    assert day2[cold][2] == "improving" and day2[cold][1] < day1[cold][1]
    assert day2[cold][0] > day1[cold][0] + 0.02
    assert day2[hot][2] == "declining" and day2[hot][0] < day1[hot][0]
    unchanged = set(day2) - {cold, hot}
    assert {day2[lead][2] for lead in unchanged} == {"steady"}
    # A rerun of day 2 still compares with day 1, not with itself.
    rescored(warehouse, model, "2024-06-02T23:00:00")
    assert history_on(warehouse, "2024-06-02")[cold][2] == "improving"
    assert query(warehouse, f"SELECT count(*) FROM {HISTORY}") == [(len(day1) + len(day2),)]


def test_a_failure_leaves_the_history_unchanged_and_says_why(
    warehouse: Path, models: dict[str, Path]
) -> None:
    rescored(warehouse, models["channel"], "2024-06-01")
    before = query(warehouse, f"SELECT * FROM {HISTORY} ORDER BY lead_id")

    corrupt = rescore(warehouse, models["corrupt"], "2024-06-01")
    assert corrupt.returncode == 1
    assert str(models["corrupt"]) in corrupt.stderr and "unchanged" in corrupt.stderr

    missing = rescore(warehouse, warehouse.parent / "nowhere.json", "2024-06-02")
    assert missing.returncode == 1 and "nowhere.json not found" in missing.stderr

    edit_open_leads(
        warehouse, lambda con: con.execute(f"ALTER TABLE {OPEN_LEADS} DROP COLUMN engaged_sessions")
    )
    no_column = rescore(warehouse, models["channel"], "2024-06-02")
    assert no_column.returncode == 1
    assert "engaged_sessions" in no_column.stderr and "scripts/load_duckdb" in no_column.stderr

    bad_day = rescore(warehouse, models["channel"], "June 2nd")
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr
    assert query(warehouse, f"SELECT * FROM {HISTORY} ORDER BY lead_id") == before
