"""scripts/load_duckdb end to end: real GA4 / HubSpot export files, a real DuckDB file, a
real `dbt build` (unit tests, models, data tests).

A good warehouse is built once; every bad load then targets the same output paths and must
fail with a message naming the file, line and field (or the dbt test), leaving the good
warehouse and CSVs byte-identical. Input checks fail before dbt starts, so only the builds
that must reach dbt pay for its start-up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from fixtures.raw_data import (
    EXPECTED_FEATURES_CSV,
    EXPECTED_OPEN_LEADS_CSV,
    FEATURES_HEADER,
    V1,
    V2,
    V3,
    V5,
    V6,
    V7A,
    V7B,
    V8,
    V9,
    Contact,
    RawData,
    read_lines,
    valid_raw_data,
    write_events,
    write_lines,
)

REPO = Path(__file__).resolve().parents[2]
LOAD_DUCKDB = REPO / "scripts" / "load_duckdb"
WAREHOUSE_NAME = "warehouse.duckdb"
FEATURES_NAME = "lead_scoring_features.csv"
OPEN_LEADS_NAME = "open_leads.csv"
SNAPSHOTS_NAME = "lead_snapshots.csv"


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

    @property
    def open_leads(self) -> Path:
        return self.folder / OPEN_LEADS_NAME

    def snapshot(self) -> dict[str, bytes]:
        if not self.folder.exists():
            return {}
        return {path.name: path.read_bytes() for path in sorted(self.folder.iterdir())}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, bytes]
    after: dict[str, bytes]


def load_duckdb(raw_dir: Path, outputs: Outputs, cwd: Path, *flags: str) -> Run:
    before = outputs.snapshot()
    command = [
        str(LOAD_DUCKDB),
        "--raw", str(raw_dir),
        "--warehouse", str(outputs.warehouse),
        "--features-out", str(outputs.features),
        *flags,
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        cwd=cwd,  # not the repository: the script must find its way from anywhere
        capture_output=True,
        text=True,
        timeout=600,
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
    assert sorted(run.after) == [FEATURES_NAME, SNAPSHOTS_NAME, OPEN_LEADS_NAME, WAREHOUSE_NAME]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


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


def test_exports_hand_computed_training_mart(good_build: Run, outputs: Outputs) -> None:
    # Covers: an exact duplicate event removed (1001's page views), a session crossing
    # midnight counted once (1002), sessions after createdate ignored and the one starting
    # at it counted (1001), GA4's session_engaged, last-click channel over the derived one
    # (1002), derived channels (Organic Search, Direct, Paid Search from a gclid), a GA4 id
    # without events and a contact without GA4 id (zeros, Unassigned), the horizon (won at
    # day 89: 1004; at day 91: 1005), a custom won stage not configured (1006), no user_id
    # identity by default (1007: one browser only).
    assert outputs.features.read_text(encoding="utf-8") == EXPECTED_FEATURES_CSV


def test_young_leads_are_open_leads_not_training_rows(good_build: Run, outputs: Outputs) -> None:
    # 1008 was created 31 days before the as-of (the latest event): no label yet.
    assert outputs.open_leads.read_text(encoding="utf-8") == EXPECTED_OPEN_LEADS_CSV
    assert ",1008," not in outputs.features.read_text(encoding="utf-8")


def test_prints_summary(good_build: Run) -> None:
    assert "raw.ga4_events: 65 rows" in good_build.stdout
    assert "raw.hubspot_contacts: 8 rows" in good_build.stdout
    assert "raw.hubspot_deals: 7 rows" in good_build.stdout
    assert "stg_ga4__sessions: 13 sessions" in good_build.stdout
    assert "as of 2024-09-01 12:00:00 UTC (the latest event), horizon 90 days" in good_build.stdout
    assert "fct_lead_scoring_features: 7 training leads, won rate 28.6%" in good_build.stdout
    assert "fct_open_leads: 1 open leads" in good_build.stdout


def test_duplicates_removed_and_midnight_session_counted_once(
    good_build: Run, outputs: Outputs
) -> None:
    (raw_events,), = query(outputs.warehouse, "select count(*) from raw.ga4_events")
    (events,), = query(outputs.warehouse, "select count(*) from staging.stg_ga4__events")
    assert (raw_events, events) == (65, 64)
    sessions = query(
        outputs.warehouse,
        "select session_start, page_views, is_engaged, channel, channel_from "
        f"from staging.stg_ga4__sessions where user_pseudo_id = '{V2}' order by 1",
    )
    assert [(str(row[0]), *row[1:]) for row in sessions] == [
        ("2024-03-04 23:59:30", 2, 1, "Paid Social", "last_click"),
        ("2024-03-06 15:30:00", 1, 0, "Organic Social", "derived"),
    ]


def test_dbt_out_of_memory_names_the_memory_limit_not_a_bug(
    good_build: Run, outputs: Outputs, work: Path
) -> None:
    """DuckDB's out-of-memory error in a model or test is the limit's doing (at 10M leads the
    events model ran out of 500 MB): the remedy is --memory-limit, not dbt_project/."""
    sys.path.insert(0, str(REPO / "scripts"))
    from warehouse.dbt_build import run_dbt_build
    from warehouse.errors import LoadError
    from warehouse.feature_spec import load_feature_spec
    from warehouse.pipeline import one_dbt_run_at_a_time

    warehouse = work / "little_memory.duckdb"
    shutil.copy(outputs.warehouse, warehouse)
    spec = load_feature_spec(REPO / "spec" / "feature_spec.json", "spec")
    with one_dbt_run_at_a_time(REPO / "dbt_project" / "target"), pytest.raises(LoadError) as raised:
        run_dbt_build(REPO / "dbt_project", warehouse, spec, str, memory_limit="8MB")

    message = str(raised.value)
    assert "Out of Memory Error" in message
    assert "run again with a larger scripts/load_duckdb --memory-limit" in message
    assert "a bug in dbt_project/" not in message


def test_warehouse_holds_raw_tables_and_models_but_not_the_truth(
    good_build: Run, outputs: Outputs
) -> None:
    tables = {
        f"{schema}.{name}"
        for schema, name in query(
            outputs.warehouse,
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal",
        )
    }
    (columns,), = query(outputs.warehouse, "SELECT list(column_name) FROM duckdb_columns()")
    assert {
        "raw.ga4_events",
        "raw.hubspot_contacts",
        "raw.hubspot_deals",
        "staging.stg_ga4__events",
        "staging.stg_ga4__sessions",
        "staging.stg_hubspot__contacts",
        "staging.stg_hubspot__deals",
        "staging.stg_hubspot__deal_contacts",
        "intermediate.int_visitor_sessions",
        "intermediate.int_leads",
        "main.fct_lead_scoring_features",
        "main.fct_open_leads",
        "main.metricflow_time_spine",
    } <= tables
    assert "p_won" not in columns  # truth.csv is the generator's answer, never loaded
    # Every browser, anonymous (V7B, V9) and event-less (V3) included, over all sessions.
    visitors = query(
        outputs.warehouse,
        "SELECT visitor_id, sessions, is_engaged, is_contact FROM intermediate.int_visitors "
        "ORDER BY visitor_id",
    )
    assert visitors == sorted([
        (V1, 4, 1, 1), (V2, 2, 1, 1), (V3, 0, 0, 1), (V5, 1, 1, 1), (V6, 1, 0, 1),
        (V7A, 1, 0, 1), (V7B, 1, 1, 0), (V8, 1, 0, 1), (V9, 2, 1, 0),
    ])  # fmt: skip


# --- options: as-of, horizon, won stages, user_id identity -------------------------------


def test_options_change_as_of_won_stages_and_identity(work: Path) -> None:
    outputs = Outputs(work / "data_options")
    run = load_duckdb(
        valid_raw_data().write(work / "raw_options"),
        outputs,
        work,
        "--as-of", "2024-06-11T12:00:00",
        "--closed-won-stages", "closedwon, contractwon",
        "--ga4-user-id-field", "id",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "as of 2024-06-11 12:00:00 UTC (--as-of)" in run.stdout
    # 1006's horizon ended on 2024-06-10 10:00: a training row, won through 'contractwon';
    # 1007 (horizon ends 2024-06-13) is open, with both its browsers (user_id = 1007), its
    # first touch on the other device; 1008, created after the as-of, is in neither.
    expected_training = EXPECTED_FEATURES_CSV.replace(
        f"1006,lead1006@example.com,Paid Search,1,0,1,1,0,{V6}",
        f"1006,lead1006@example.com,Paid Search,1,0,1,1,1,{V6}",
    ).replace(f"1007,lead1007@example.com,Organic Search,1,0,1,1,0,{V7A},2024-03-15 12:00:00\n", "")
    assert outputs.features.read_text(encoding="utf-8") == expected_training
    assert outputs.open_leads.read_text(encoding="utf-8") == (
        EXPECTED_OPEN_LEADS_CSV.splitlines(keepends=True)[0]
        + f"1007,lead1007@example.com,Organic Video,2,1,4,1,89,88,{V7A},2024-03-15 12:00:00,"
        "2024-06-13 12:00:00,2024-06-11 12:00:00\n"
    )


def test_horizon_days_moves_the_label_and_the_split(work: Path) -> None:
    outputs = Outputs(work / "data_horizon")
    run = load_duckdb(
        valid_raw_data().write(work / "raw_horizon"), outputs, work, "--horizon-days", "92"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # With 92 days, 1005's deal (day 91) is within the horizon.
    assert f"1005,lead1005@example.com,Direct,1,1,2,1,1,{V5}" in outputs.features.read_text()


# --- file formats ------------------------------------------------------------------------


def _mixed_formats(raw: Path) -> None:
    """Rewrites the jsonl files as a mix: .jsonl.gz, sharded .json.gz, .parquet, .jsonl."""
    files = sorted((raw / "ga4").glob("events_*.jsonl"))
    for index, path in enumerate(files):
        events = [json.loads(line) for line in read_lines(path)]
        stem = path.name.removesuffix(".jsonl")
        kind = index % 4
        if kind == 3:
            continue
        path.unlink()
        if kind == 0:
            write_events(raw / "ga4" / f"{stem}.jsonl.gz", events)
        elif kind == 1:  # a wildcard extract's shards
            write_events(raw / "ga4" / f"{stem}-000000000000.json.gz", events[:1])
            write_events(raw / "ga4" / f"{stem}-000000000001.json.gz", events[1:])
        else:
            write_events(raw / "ga4" / f"{stem}.parquet", events)


def _parquet_columns_differing_by_file(raw: Path) -> None:
    """Day files whose columns differ, as when GA4 adds one: the loader must match them by
    name (one file without `platform`, in another order, with a column the mart ignores)."""
    path = sorted((raw / "ga4").glob("events_*.parquet"))[1]
    changed = path.with_name("changed.parquet")
    duckdb.execute(
        f"COPY (SELECT event_name, * EXCLUDE (event_name, platform), 1 AS privacy_info "
        f"FROM read_parquet('{path}')) TO '{changed}' (FORMAT parquet)"
    )
    changed.replace(path)


@pytest.mark.parametrize("event_format", ["jsonl.gz", "parquet", "mixed", "parquet columns"])
def test_every_event_format_gives_the_same_marts(
    event_format: str, good_build: Run, work: Path
) -> None:
    outputs = Outputs(work / f"data_{event_format.replace(' ', '_')}")
    raw = work / f"raw_{event_format.replace(' ', '_')}"
    if event_format == "mixed":
        valid_raw_data().write(raw)
        _mixed_formats(raw)
    elif event_format == "parquet columns":
        valid_raw_data().write(raw, "parquet")
        _parquet_columns_differing_by_file(raw)
    else:
        valid_raw_data().write(raw, event_format)
    run = load_duckdb(raw, outputs, work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert outputs.features.read_text(encoding="utf-8") == EXPECTED_FEATURES_CSV
    assert outputs.open_leads.read_text(encoding="utf-8") == EXPECTED_OPEN_LEADS_CSV


# --- bad input caught before dbt runs ---------------------------------------------------

Mutation = Callable[[Path], None]
DAY1 = "ga4/events_20240301.jsonl"  # V1's first session: 7 events, line 3 the duplicate


def _edit_line(file: str, line: int, edit: Callable[[dict], None]) -> Mutation:
    def mutate(raw: Path) -> None:
        lines = read_lines(raw / file)
        record = json.loads(lines[line - 1])
        edit(record)
        lines[line - 1] = json.dumps(record) + "\n"
        write_lines(raw / file, lines)

    return mutate


def _replace_line(file: str, line: int, text: str) -> Mutation:
    def mutate(raw: Path) -> None:
        lines = read_lines(raw / file)
        lines[line - 1] = text + "\n"
        write_lines(raw / file, lines)

    return mutate


def _drop_param(key: str) -> Callable[[dict], None]:
    def edit(record: dict) -> None:
        record["event_params"] = [p for p in record["event_params"] if p["key"] != key]

    return edit


def _rename_everywhere(file: str, old: str, new: str) -> Mutation:
    def mutate(raw: Path) -> None:
        lines = read_lines(raw / file)
        write_lines(raw / file, [line.replace(f'"{old}"', f'"{new}"') for line in lines])

    return mutate


def _blank_line_then(mutation: Mutation, file: str, before: int) -> Mutation:
    def mutate(raw: Path) -> None:
        mutation(raw)
        lines = read_lines(raw / file)
        write_lines(raw / file, [*lines[: before - 1], "\n", *lines[before - 1 :]])

    return mutate


def _contact_again(raw: Path) -> None:
    other = Contact("1002", "2024-03-06 15:30:00", "1999999999.1709596770").to_json()
    with (raw / "hubspot/contacts.jsonl").open("a", encoding="utf-8") as file:
        file.write(json.dumps(other) + "\n")


def _remove_event_files(raw: Path) -> None:
    shutil.rmtree(raw / "ga4")
    (raw / "ga4").mkdir()


def _empty_event_files(raw: Path) -> None:
    for path in (raw / "ga4").iterdir():
        path.write_text("", encoding="utf-8")


def _set(path: list[str], value: object) -> Callable[[dict], None]:
    def edit(record: dict) -> None:
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _as_gz(raw: Path) -> None:
    path = raw / DAY1
    write_events(path.with_name(path.name + ".gz"), [json.loads(x) for x in read_lines(path)])
    path.unlink()


def _malformed_gz(raw: Path) -> None:
    _as_gz(raw)
    _replace_line(DAY1 + ".gz", 6, '{"event_date": "20240301", "event_name": }')(raw)


def _as_broken_parquet(raw: Path) -> None:
    """Day 2 as Parquet cut short, as an interrupted download leaves it."""
    path = raw / "ga4/events_20240302.jsonl"
    parquet = path.with_suffix(".parquet")
    write_events(parquet, [json.loads(x) for x in read_lines(path)])
    path.unlink()
    parquet.write_bytes(parquet.read_bytes()[:-100])


NOT_ISO = "is not a valid timestamp (ISO 8601, e.g. 2017-06-01T12:34:56.789Z)"
PRECHECK_CASES: dict[str, tuple[Mutation, str]] = {
    "missing field": (
        _edit_line(DAY1, 3, lambda record: record.pop("event_timestamp")),
        f"{DAY1} line 3, field event_timestamp: is missing",
    ),
    "renamed field": (
        _rename_everywhere("ga4/events_20240302.jsonl", "user_pseudo_id", "user_pseudoid"),
        "ga4/events_20240302.jsonl line 1, field user_pseudo_id: is missing",
    ),
    "unparseable event_timestamp in a later file": (
        _edit_line("ga4/events_20240305.jsonl", 2, _set(["event_timestamp"], "2024-03-05 00:00")),
        ("ga4/events_20240305.jsonl line 2, field event_timestamp: '2024-03-05 00:00' is not an "
        "INT64 (expected microseconds since 1970-01-01 UTC)"),
    ),
    "line after a blank line": (
        _blank_line_then(
            _edit_line(DAY1, 5, _set(["event_timestamp"], "soon")), DAY1, before=2
        ),
        f"{DAY1} line 6, field event_timestamp: 'soon' is not an INT64",
    ),
    "event without ga_session_id": (
        _edit_line(DAY1, 4, _drop_param("ga_session_id")),
        (f"{DAY1} line 4, field event_params: has no ga_session_id parameter: the event's "
        "session cannot be known"),
    ),
    "unparseable createdate": (
        _edit_line("hubspot/contacts.jsonl", 2,
                   _set(["properties", "createdate"], "2024-02-30T15:30:00.000Z")),
        (f"hubspot/contacts.jsonl line 2, field properties.createdate: "
        f"'2024-02-30T15:30:00.000Z' {NOT_ISO}"),
    ),
    "missing createdate": (
        _edit_line("hubspot/contacts.jsonl", 4, lambda r: r["properties"].pop("createdate")),
        "hubspot/contacts.jsonl line 4, field properties.createdate: is missing",
    ),
    "unparseable closedate": (
        _edit_line("hubspot/deals.jsonl", 1, _set(["properties", "closedate"], "next week")),
        f"hubspot/deals.jsonl line 1, field properties.closedate: 'next week' {NOT_ISO}",
    ),
    "deal of an unknown contact": (
        _edit_line("hubspot/deals.jsonl", 2,
                   _set(["associations", "contacts", "results"], [{"id": "1099"}])),
        ("hubspot/deals.jsonl line 2, field associations.contacts.results.id: deal 5002 is "
        "associated with contact 1099, which is not in contacts.jsonl"),
    ),
    "contact with two GA4 ids": (
        _contact_again,
        (f"hubspot/contacts.jsonl lines 2 and 9, field properties.ga_client_id: contact 1002 "
        f"has several GA4 ids ('{V2}', '1999999999.1709596770')"),
    ),
    "no event files": (_remove_event_files, "ga4 holds no events_* files"),
    "event files without rows": (_empty_event_files, "ga4: its 13 files hold no GA4 event rows: the export is empty"),
    "malformed JSON": (
        _replace_line(DAY1, 4, '{"event_date": "20240301",, "event_name": "page_view"}'),
        f"{DAY1} line 4: not valid JSON (Expecting property name enclosed in double quotes",
    ),
    "malformed JSON in a gzip file": (
        _malformed_gz,
        f"{DAY1}.gz line 6: not valid JSON (Expecting value",
    ),
    "broken Parquet file": (
        _as_broken_parquet,
        "ga4/events_20240302.parquet: cannot be read as Parquet: ",
    ),
    "missing deals file": (
        lambda raw: (raw / "hubspot/deals.jsonl").unlink(),
        "hubspot/deals.jsonl is missing",
    ),
}


@pytest.mark.parametrize("case", PRECHECK_CASES)
def test_bad_raw_file_is_rejected_before_dbt(
    case: str, good_build: Run, outputs: Outputs, work: Path
) -> None:
    mutate, message = PRECHECK_CASES[case]
    raw = valid_raw_data().write(work / f"raw_{case.replace(' ', '_')}")
    mutate(raw)
    run = load_duckdb(raw, outputs, work)
    assert_failed_and_kept_outputs(run)
    assert f"error: {raw}/{message}" in run.stderr, run.stderr
    assert "running dbt build" not in run.stderr


def test_many_bad_values_are_counted_not_all_listed(
    good_build: Run, outputs: Outputs, work: Path
) -> None:
    raw = valid_raw_data().write(work / "raw_many_bad")
    _rename_everywhere("ga4/events_20240301.jsonl", "event_name", "name")(raw)
    run = load_duckdb(raw, outputs, work)
    assert_failed_and_kept_outputs(run)
    assert run.stderr.count("field event_name: is missing") == 7
    assert "To fix: correct the export that wrote" in run.stderr


# --- data breaking the warehouse rules (dbt tests) --------------------------------------


@pytest.fixture(scope="module")
def rule_breaking_build(good_build: Run, outputs: Outputs, work: Path) -> Run:
    """One load breaking several dbt tests at once: dbt start-up is paid once."""
    data: RawData = valid_raw_data()
    data.contacts.append(data.contacts[1])  # contact 1002 exported twice (same GA4 id)
    data.deals.append(data.deals[0])  # deal 5001 exported twice
    return load_duckdb(data.write(work / "raw_rule_breaking"), outputs, work)


def test_rule_breaking_load_fails_and_keeps_outputs(rule_breaking_build: Run) -> None:
    assert_failed_and_kept_outputs(rule_breaking_build)
    assert "the raw data breaks the warehouse rules above" in rule_breaking_build.stderr


@pytest.mark.parametrize(
    ("test", "rows"),
    [
        (
            ("unique_stg_hubspot__contacts_contact_id "
            "(unique on model stg_hubspot__contacts, column contact_id;"),
            "unique_field='1002', n_records=2",
        ),
        (
            ("unique_stg_hubspot__deals_deal_id "
            "(unique on model stg_hubspot__deals, column deal_id;"),
            "unique_field='5001', n_records=2",
        ),
    ],
    ids=["duplicate contact", "duplicate deal"],
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


def test_header_matches_the_feature_spec() -> None:
    spec = json.loads((REPO / "spec/feature_spec.json").read_text(encoding="utf-8"))
    assert FEATURES_HEADER.split(",")[: len(spec["columns"])] == spec["columns"]

