"""End-to-end checks of `leadscore generate`: the real binary, real files (docs/sources.md)."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from fixtures.shared_data import OLIST_DIR

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LEADSCORE_BIN", REPO / "build/release/apps/leadscore/leadscore"))
AS_OF_US = int(datetime(2018, 6, 1, tzinfo=UTC).timestamp()) * 1_000_000
LAST_CLICK_FROM_US = int(datetime(2018, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


def generate(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BINARY), "generate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def event_lines(directory: Path) -> list[tuple[str, str]]:
    """(file name, line) of every GA4 row; gzip.open fails on a damaged file."""
    rows = []
    for path in sorted((directory / "ga4").iterdir()):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows.extend((path.name, line.rstrip("\n")) for line in handle)
    return rows


def param(event: dict[str, Any], key: str) -> dict[str, str] | None:
    return next((p["value"] for p in event["event_params"] if p["key"] == key), None)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        result = generate("--seed", "7", "--rows", "5000", "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
    first = digests(tmp_path / "a")
    assert first == digests(tmp_path / "b")
    assert len(json_lines(tmp_path / "a" / "hubspot" / "contacts.jsonl")) == 5000


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    assert generate("--seed", "7", "--rows", "500", "--out", str(tmp_path / "a")).returncode == 0
    assert generate("--seed", "8", "--rows", "500", "--out", str(tmp_path / "b")).returncode == 0
    assert digests(tmp_path / "a")["truth.csv"] != digests(tmp_path / "b")["truth.csv"]


def test_writes_the_ga4_export_and_hubspot_objects_as_of_the_window_end(tmp_path: Path) -> None:
    result = generate("--rows", "3000", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "as of 2018-06-01 00:00:00" in result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ga4", "hubspot", "truth.csv"]
    assert sorted(p.name for p in (tmp_path / "hubspot").iterdir()) == [
        "contacts.jsonl",
        "deals.jsonl",
    ]
    names = sorted(p.name for p in (tmp_path / "ga4").iterdir())
    assert all(name.startswith("events_") and name.endswith(".jsonl.gz") for name in names)
    assert len(names) > 365

    rows = event_lines(tmp_path)
    duplicates = sum(a == b for (_, a), (_, b) in itertools.pairwise(rows))
    assert 0 < duplicates < len(rows) / 200  # about 0.1 %, written twice in the same file
    sessions: dict[tuple[str, str], int] = {}
    lead_times: dict[str, str] = {}
    for name, line in rows:
        event = json.loads(line)
        timestamp = int(event["event_timestamp"])  # INT64 as a JSON string
        assert isinstance(event["event_timestamp"], str)
        assert timestamp < AS_OF_US, line
        assert name == f"events_{event['event_date']}.jsonl.gz"
        day = datetime.fromtimestamp(timestamp / 1e6, tz=UTC).strftime("%Y%m%d")
        assert event["event_date"] == day
        session_id = param(event, "ga_session_id")
        assert session_id is not None, f"no ga_session_id: {line}"
        assert ("session_traffic_source_last_click" in event) == (timestamp >= LAST_CLICK_FROM_US)
        key = (event["user_pseudo_id"], session_id["int_value"])
        sessions[key] = sessions.get(key, 0) + (event["event_name"] == "session_start")
        if event["event_name"] == "generate_lead":
            lead_times[event["user_pseudo_id"]] = event["event_timestamp"]
    assert all(count >= 1 for count in sessions.values())

    contacts = json_lines(tmp_path / "hubspot" / "contacts.jsonl")
    assert len(contacts) == 3000
    assert [int(c["id"]) for c in contacts] == sorted(int(c["id"]) for c in contacts)
    for contact in contacts:
        created = datetime.strptime(contact["properties"]["createdate"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert int(lead_times[contact["properties"]["ga_client_id"]]) == round(
            created.timestamp() * 1e6
        )
    truth = (tmp_path / "truth.csv").read_text().splitlines()
    assert truth[0] == "lead_id,p_won"
    assert {line.split(",")[0] for line in truth[1:]} == {c["id"] for c in contacts}

    deals = json_lines(tmp_path / "hubspot" / "deals.jsonl")
    stages = {d["properties"]["dealstage"] for d in deals}
    assert stages <= {"closedwon", "closedlost", "appointmentscheduled", "contractsent"}
    assert "contractsent" in stages  # outcomes after as-of are still open in the export
    for deal in deals:
        close = deal["properties"]["closedate"]
        assert (close is None) == (
            deal["properties"]["dealstage"] not in ("closedwon", "closedlost")
        )
        assert close is None or close < "2018-06-01"


def test_olist_source_has_the_real_leads_and_outcomes(tmp_path: Path) -> None:
    result = generate("--source", "olist", "--olist-dir", str(OLIST_DIR), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    contacts = json_lines(tmp_path / "hubspot" / "contacts.jsonl")
    deals = json_lines(tmp_path / "hubspot" / "deals.jsonl")
    assert len(contacts) == 8000
    assert sum(deal["properties"]["dealstage"] == "closedwon" for deal in deals) == 842
    # The real Olist id is kept on the contact; its first real lead comes first.
    assert contacts[0]["properties"]["olist_mql_id"] == "dac32acd4db4c29c230538b72f8dd87d"
    assert contacts[0]["properties"]["createdate"].startswith("2018-02-01T")
    assert all(param(json.loads(line), "ga_session_id") for _, line in event_lines(tmp_path)[:5000])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "0"], "--rows must be a positive number of leads (got 0)"),
        (["--rows", "-3"], "--rows must be a positive number of leads (got -3)"),
        (["--source", "crm"], "unknown --source 'crm'; use synthetic or olist"),
        (
            ["--source", "olist", "--olist-dir", "/nonexistent"],
            "Olist file /nonexistent/olist_marketing_qualified_leads_dataset.csv not found",
        ),
    ],
)
def test_bad_arguments_fail_clearly_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "raw"
    result = generate(*args, "--out", str(out))
    assert result.returncode == 1
    assert message in result.stderr
    assert not out.exists()


def test_unwritable_output_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = generate("--rows", "10", "--out", str(blocker / "raw"))
    assert result.returncode == 1
    assert f"cannot create output directory {blocker / 'raw'}" in result.stderr
    assert "--out" in result.stderr


def test_failed_run_leaves_previous_output_intact(tmp_path: Path) -> None:
    assert generate("--rows", "300", "--out", str(tmp_path)).returncode == 0
    before = digests(tmp_path)
    assert (
        generate(
            "--rows",
            "300",
            "--source",
            "olist",
            "--olist-dir",
            "/nonexistent",
            "--out",
            str(tmp_path),
        ).returncode
        == 1
    )
    assert digests(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ga4", "hubspot", "truth.csv"]


def test_a_new_run_replaces_the_old_layout_and_stale_event_files(tmp_path: Path) -> None:
    for retired in ("sessions.csv", "contacts.csv", "deals.csv"):
        (tmp_path / retired).write_text("old\n")
    (tmp_path / "ga4").mkdir()
    (tmp_path / "ga4" / "events_19990101.jsonl.gz").write_bytes(gzip.compress(b"{}\n"))
    result = generate("--rows", "300", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ga4", "hubspot", "truth.csv"]
    assert not (tmp_path / "ga4" / "events_19990101.jsonl.gz").exists()


# --- --format parquet ---------------------------------------------------------------------

INT64_FIELDS = ("event_timestamp", "user_first_touch_timestamp", "int_value")


def json_as_typed(value: Any, key: str = "") -> Any:
    """A JSONL event as the Parquet holds it: INT64 strings as ints (BigQuery's JSON writes
    them as strings)."""
    if isinstance(value, dict):
        return {k: json_as_typed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [json_as_typed(v) for v in value]
    return int(value) if key in INT64_FIELDS else value


def without_nulls(value: Any) -> Any:
    """A row as the JSON export writes it: NULL fields omitted."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@pytest.fixture(scope="module")
def both_formats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("formats")
    folders = {"jsonl.gz": root / "jsonl", "parquet": root / "parquet"}
    for event_format, out in folders.items():
        result = generate(
            "--rows", "1500", "--seed", "11", "--format", event_format, "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
    return folders


def test_parquet_files_hold_the_jsonl_events_read_by_pyarrow(both_formats: dict[str, Path]) -> None:
    jsonl, parquet = both_formats["jsonl.gz"], both_formats["parquet"]
    json_files = sorted((jsonl / "ga4").iterdir())
    parquet_files = sorted((parquet / "ga4").iterdir())
    assert [p.name.removesuffix(".jsonl.gz") for p in json_files] == [
        p.name.removesuffix(".parquet") for p in parquet_files
    ]
    assert digests(jsonl / "hubspot") == digests(parquet / "hubspot")
    assert (jsonl / "truth.csv").read_bytes() == (parquet / "truth.csv").read_bytes()
    rows = 0
    for json_file, parquet_file in zip(json_files, parquet_files, strict=True):
        with gzip.open(json_file, "rt", encoding="utf-8") as handle:
            expected = [json_as_typed(json.loads(line)) for line in handle]
        table = pq.read_table(parquet_file)
        assert [without_nulls(row) for row in table.to_pylist()] == expected, parquet_file.name
        rows += len(expected)
    assert rows > 50000


def test_parquet_schema_is_bigquerys_typed_export_schema(both_formats: dict[str, Path]) -> None:
    files = str(both_formats["parquet"] / "ga4" / "*.parquet")
    with duckdb.connect() as connection:
        leaves = connection.execute(
            "SELECT DISTINCT name, type, repetition_type, converted_type FROM parquet_schema(?) "
            "WHERE name IN ('event_timestamp', 'int_value', 'double_value', 'event_name', "
            "'event_params', 'list', 'user_first_touch_timestamp') ORDER BY name",
            [files],
        ).fetchall()
        assert leaves == [
            ("double_value", "DOUBLE", "OPTIONAL", None),
            ("event_name", "BYTE_ARRAY", "OPTIONAL", "UTF8"),
            ("event_params", None, "OPTIONAL", "LIST"),
            ("event_timestamp", "INT64", "OPTIONAL", None),
            ("int_value", "INT64", "OPTIONAL", None),
            ("list", None, "REPEATED", None),
            ("user_first_touch_timestamp", "INT64", "OPTIONAL", None),
        ]
        # DuckDB reads the nested columns back: NULL where the JSON omits a field.
        row = connection.execute(
            "SELECT event_params[1].key, event_params[1].value.int_value, "
            "event_params[3].value.string_value, event_params[1].value.double_value, "
            "collected_traffic_source IS NULL, typeof(event_timestamp) "
            "FROM read_parquet(?) WHERE event_name = 'user_engagement' LIMIT 1",
            [files],
        ).fetchone()
        assert row[0] == "ga_session_id" and row[1] > 1_400_000_000
        assert row[2] in ("0", "1") and row[3] is None and row[4] is True
        assert row[5] == "BIGINT"
        codecs = connection.execute(
            "SELECT DISTINCT compression FROM parquet_metadata(?)", [files]
        ).fetchall()
        assert codecs == [("GZIP",)]


def test_parquet_is_byte_identical_per_seed_and_replaces_jsonl_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        result = generate("--rows", "400", "--format", "parquet", "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert generate("--rows", "400", "--out", str(tmp_path / "a")).returncode == 0
    names = {p.suffix for p in (tmp_path / "a" / "ga4").iterdir()}
    assert names == {".gz"}  # the parquet files of the earlier run are gone


def test_a_day_file_of_many_row_groups_reads_back_whole_and_in_order(tmp_path: Path) -> None:
    """Each row group's footer entry is encoded when the group is written (the writer keeps
    bytes, not structs, until the footer): a file of several groups must list every one, at
    its offsets, in order. The small fixtures above write one group per file."""
    for event_format in ("parquet", "jsonl.gz"):
        out = str(tmp_path / event_format)
        result = generate("--rows", "20000", "--seed", "11", "--format", event_format, "--out", out)
        assert result.returncode == 0, result.stderr
    largest = max((tmp_path / "parquet" / "ga4").iterdir(), key=lambda p: p.stat().st_size)
    metadata = pq.ParquetFile(largest).metadata
    assert metadata.num_row_groups >= 2, (largest, metadata.num_row_groups)
    groups = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
    assert sum(g.num_rows for g in groups) == metadata.num_rows
    offsets = [g.column(0).data_page_offset for g in groups]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    json_file = tmp_path / "jsonl.gz" / "ga4" / largest.name.replace(".parquet", ".jsonl.gz")
    with gzip.open(json_file, "rt", encoding="utf-8") as lines:
        expected = [(e["event_timestamp"], e["event_name"]) for e in map(json.loads, lines)]
    table = pq.read_table(largest, columns=["event_timestamp", "event_name"]).to_pylist()
    assert [(str(r["event_timestamp"]), r["event_name"]) for r in table] == expected


def test_load_gives_the_same_training_mart_from_either_format(
    both_formats: dict[str, Path], tmp_path: Path
) -> None:
    features = {}
    for event_format, raw in both_formats.items():
        out = tmp_path / event_format
        result = subprocess.run(
            [str(REPO / "scripts/load_duckdb"), "--raw", str(raw),
             "--warehouse", str(out / "warehouse.duckdb"), "--features-out", str(out / "f.csv")],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        features[event_format] = (out / "f.csv").read_bytes()
    assert features["parquet"].count(b"\n") > 1000
    assert features["parquet"] == features["jsonl.gz"]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    result = generate("--rows", "10", "--format", "csv", "--out", str(tmp_path / "raw"))
    assert result.returncode == 1
    assert "unknown --format 'csv'; use jsonl.gz or parquet" in result.stderr
    assert not (tmp_path / "raw").exists()
