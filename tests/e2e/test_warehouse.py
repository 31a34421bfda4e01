"""scripts/load_duckdb end to end: real CSV files, a real DuckDB file, a real `dbt build`.

A good warehouse is built once; every bad load then targets the same output paths and must
fail with a message naming the file, line and column (or the dbt test), leaving the good
warehouse and feature CSV byte-identical. Input checks fail before dbt starts, so only the
good build and one build breaking the dbt rules pay for dbt's start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from fixtures.raw_data import (
    EXPECTED_FEATURES_CSV,
    SESSION_COLUMNS,
    RawData,
    valid_raw_data,
    write_csv,
)

REPO = Path(__file__).resolve().parents[2]
LOAD_DUCKDB = REPO / "scripts" / "load_duckdb"
WAREHOUSE_NAME = "warehouse.duckdb"
FEATURES_NAME = "lead_scoring_features.csv"
SESSIONS_COLUMNS_TEXT = ", ".join(SESSION_COLUMNS)


@dataclass(frozen=True)
class Outputs:
    """Where load_duckdb writes; the folder holds nothing else between runs."""

    folder: Path

    @property
    def warehouse(self) -> Path:
        return self.folder / WAREHOUSE_NAME

    @property
    def features(self) -> Path:
        return self.folder / FEATURES_NAME

    def snapshot(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(self.folder.iterdir())}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, bytes]
    after: dict[str, bytes]


def load_duckdb(raw_dir: Path, outputs: Outputs, cwd: Path) -> Run:
    before = outputs.snapshot()
    command = [
        str(LOAD_DUCKDB),
        "--raw", str(raw_dir),
        "--warehouse", str(outputs.warehouse),
        "--features-out", str(outputs.features),
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        cwd=cwd,  # not the repository: the script must find its way from anywhere
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Run(
        completed.returncode, completed.stdout, completed.stderr, before, outputs.snapshot()
    )


def assert_failed_and_kept_outputs(run: Run) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "To fix:" in run.stderr
    # Byte-identical, and no temporary file left next to them.
    assert run.after == run.before
    assert sorted(run.after) == [FEATURES_NAME, WAREHOUSE_NAME]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="module")
def outputs(work: Path) -> Outputs:
    folder = work / "data"
    folder.mkdir()
    return Outputs(folder)


@pytest.fixture(scope="module")
def good_build(work: Path, outputs: Outputs) -> Run:
    run = load_duckdb(valid_raw_data().write(work / "raw_good"), outputs, work)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


# --- the happy path ---------------------------------------------------------------------


def test_exports_hand_computed_features(good_build: Run, outputs: Outputs) -> None:
    # Covers: sessions after created_at ignored, the converting session counted, 10 s is
    # not engaged, empty and unlisted channels -> Unassigned, case-insensitive channels,
    # a returning visitor, a contact without sessions, won / lost / open / no deal.
    assert outputs.features.read_text(encoding="utf-8") == EXPECTED_FEATURES_CSV


def test_prints_summary(good_build: Run) -> None:
    assert "raw.sessions: 11 rows" in good_build.stdout
    assert "raw.contacts: 5 rows" in good_build.stdout
    assert "raw.deals: 4 rows" in good_build.stdout
    assert "fct_lead_scoring_features: 5 leads, won rate 40.0%" in good_build.stdout


def test_warns_about_channels_the_spec_does_not_list(good_build: Run) -> None:
    assert "warning: dbt test warned: warn_unlisted_channel_values" in good_build.stdout
    assert "raw_channel='Carrier Pigeon', sessions=1" in good_build.stdout


def test_warehouse_holds_raw_tables_and_models_but_not_the_truth(
    good_build: Run, outputs: Outputs
) -> None:
    with duckdb.connect(str(outputs.warehouse), read_only=True) as connection:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        columns = connection.execute("SELECT list(column_name) FROM duckdb_columns()").fetchone()
        visitors = connection.execute(
            "SELECT visitor_id, sessions, is_engaged, is_contact FROM intermediate.int_visitors "
            "ORDER BY visitor_id"
        ).fetchall()
    assert {
        "raw.sessions",
        "raw.contacts",
        "raw.deals",
        "staging.stg_ga4__sessions",
        "intermediate.int_visitor_sessions",
        "main.fct_lead_scoring_features",
        "main.metricflow_time_spine",
    } <= tables
    assert columns is not None
    assert "p_won" not in columns[0]  # truth.csv is the generator's answer, never loaded
    # Every visitor, the anonymous V4 and the session-less V3 included, over all sessions.
    assert visitors == [
        ("V0000000001", 4, 1, 1),
        ("V0000000002", 3, 1, 1),
        ("V0000000003", 0, 0, 1),
        ("V0000000004", 2, 1, 0),
        ("V0000000005", 1, 0, 1),
        ("V0000000006", 1, 1, 1),
    ]


# --- bad input caught before dbt runs ---------------------------------------------------


def _drop_column(raw: Path, data: RawData) -> None:
    columns = [name for name in SESSION_COLUMNS if name != "page_views"]
    write_csv(raw / "sessions.csv", columns, data.sessions)


def _set(table: str, row: int, column: str, value: str) -> Callable[[Path, RawData], None]:
    def mutate(raw: Path, data: RawData) -> None:
        rows: list[dict[str, str]] = getattr(data, table)
        rows[row][column] = value
        data.write(raw)

    return mutate


def _write_text(file_name: str, text: str) -> Callable[[Path, RawData], None]:
    def mutate(raw: Path, data: RawData) -> None:
        (raw / file_name).write_text(text, encoding="utf-8")

    return mutate


def _remove(raw: Path, data: RawData) -> None:
    (raw / "deals.csv").unlink()


def _blank_line_then_bad_value(raw: Path, data: RawData) -> None:
    data.sessions[5]["page_views"] = "-2"
    data.write(raw)
    lines = (raw / "sessions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # DuckDB skips blank lines; the reported line must still be the one in the file.
    (raw / "sessions.csv").write_text("".join([*lines[:3], "\n", *lines[3:]]), encoding="utf-8")


def _extra_field(raw: Path, data: RawData) -> None:
    with (raw / "sessions.csv").open("a", encoding="utf-8") as file:
        file.write("V0000000009,V0000000009-1,2024-03-01 09:00:00,1,Direct,5,1,oops\n")


# Row indexes are 0-based data rows: data row i is on line i + 2 (the header is line 1).
PRECHECK_CASES = {
    "missing column": (
        _drop_column,
        f"sessions.csv is missing column page_views (expected columns: {SESSIONS_COLUMNS_TEXT})",
    ),
    "not an integer": (
        _set("sessions", 2, "engagement_time_msec", "abc"),
        "sessions.csv line 4, column engagement_time_msec: 'abc' is not an integer",
    ),
    "negative count": (
        _set("sessions", 5, "page_views", "-2"),
        "sessions.csv line 7, column page_views: '-2' is negative (expected integer >= 0)",
    ),
    "line after a blank line": (
        _blank_line_then_bad_value,
        "sessions.csv line 8, column page_views: '-2' is negative (expected integer >= 0)",
    ),
    "invalid timestamp": (
        _set("contacts", 1, "created_at", "2024-02-30 15:30:00"),
        ("contacts.csv line 3, column created_at: '2024-02-30 15:30:00' is not a valid "
        "timestamp (expected YYYY-MM-DD HH:MM:SS, UTC)"),
    ),
    "empty file": (_write_text("contacts.csv", ""), "contacts.csv is empty (no header line)"),
    "header only": (
        _write_text("deals.csv", "deal_id,contact_id,stage,amount,close_date\n"),
        "deals.csv has a header but no rows",
    ),
    "missing file": (_remove, "deals.csv is missing"),
    "extra field": (
        _extra_field,
        ("sessions.csv line 13: expected 7 fields, found 8 "
        "('V0000000009,V0000000009-1,2024-03-01 09:00:00,1,Direct,5,1,oops')"),
    ),
}


@pytest.mark.parametrize("case", PRECHECK_CASES)
def test_bad_raw_file_is_rejected_before_dbt(
    case: str, good_build: Run, outputs: Outputs, work: Path
) -> None:
    mutate, message = PRECHECK_CASES[case]
    raw = valid_raw_data().write(work / f"raw_{case.replace(' ', '_')}")
    mutate(raw, valid_raw_data())
    run = load_duckdb(raw, outputs, work)
    assert_failed_and_kept_outputs(run)
    assert f"error: {raw}/{message}\n" in run.stderr
    assert "running dbt build" not in run.stderr


# --- data breaking the warehouse rules (dbt tests) --------------------------------------


@pytest.fixture(scope="module")
def rule_breaking_build(good_build: Run, outputs: Outputs, work: Path) -> Run:
    """One load breaking several dbt tests at once: dbt start-up is paid once."""
    data = valid_raw_data()
    data.sessions.append(dict(data.sessions[0]))  # duplicate session_id V0000000001-1
    data.contacts.append(dict(data.contacts[1]))  # duplicate contact_id C0000000002
    data.deals[1]["contact_id"] = "C0000000099"  # a deal pointing at no contact
    data.deals[3]["stage"] = "won"  # not a CRM stage
    return load_duckdb(data.write(work / "raw_rule_breaking"), outputs, work)


def test_rule_breaking_load_fails_and_keeps_outputs(rule_breaking_build: Run) -> None:
    assert_failed_and_kept_outputs(rule_breaking_build)
    assert "the raw data breaks the warehouse rules above" in rule_breaking_build.stderr


@pytest.mark.parametrize(
    ("test", "rows"),
    [
        (
            ("unique_stg_ga4__sessions_session_id "
            "(unique on model stg_ga4__sessions, column session_id;"),
            "unique_field='V0000000001-1', n_records=2",
        ),
        (
            ("unique_stg_crm__contacts_contact_id "
            "(unique on model stg_crm__contacts, column contact_id;"),
            "unique_field='C0000000002', n_records=2",
        ),
        (
            ("relationships_stg_crm__deals_contact_id__contact_id__ref_stg_crm__contacts_ "
            "(relationships on model stg_crm__deals, column contact_id;"),
            "from_field='C0000000099'",
        ),
        (
            ("accepted_values_stg_crm__deals_stage__closedwon__closedlost__open "
            "(accepted_values on model stg_crm__deals, column stage;"),
            "value_field='won', n_records=1",
        ),
    ],
    ids=["duplicate session_id", "duplicate contact_id", "deal without contact", "bad stage"],
)
def test_rule_breaking_load_names_test_and_rows(
    test: str, rows: str, rule_breaking_build: Run
) -> None:
    stderr = rule_breaking_build.stderr
    assert f"error: dbt test failed: {test}" in stderr
    failing = stderr[stderr.index(test) :].splitlines()[1:3]
    assert failing == ["    1 failing row:", f"      {rows}"]


# --- dbt outside scripts/load_duckdb ---------------------------------------------------------


def test_dbt_without_feature_spec_says_to_use_load_duckdb(tmp_path: Path) -> None:
    project = REPO / "dbt_project"
    command = [
        str(Path(sys.executable).with_name("dbt")),  # the venv running these tests
        "parse",
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        # Own target and logs, so the real build's partial parse state stays intact.
        "--target-path", str(tmp_path / "target"),
        "--log-path", str(tmp_path / "logs"),
        "--no-use-colors",
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        env={**os.environ, "LEADSCORE_DBT_DUCKDB_PATH": str(tmp_path / WAREHOUSE_NAME)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode != 0
    assert (
        "dbt var 'feature_spec' is not set. Build the warehouse with scripts/load_duckdb"
        in completed.stdout
    )
