"""The raw load stays within a small DuckDB memory_limit, and says so when it does not.

At 10M leads with `--memory-limit 500MB` the load stopped with DuckDB's out-of-memory error
in the "one contact id, several GA4 ids" check: ordered lists and count(DISTINCT) per
contact over every contact do not spill. The same shape at 1M contacts under 64 MB fails
the same way, so this guards it in seconds. At 1M leads in JSON, read_json's buffers (twice
its maximum_object_size, then 64 MiB, per file read at once) ran out of 500 MB in seconds, and
the error blamed all 442 files; the small test export shows both under 100 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from fixtures.raw_data import valid_raw_data

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from warehouse import raw_load
from warehouse.errors import LoadError
from warehouse.raw_load import RawLoad, _Loader, _Problems, load_raw_tables
from warehouse.raw_schema import GA4_EVENTS, RAW_SCHEMA, hubspot_contacts

CONTACTS = 1_000_000
FILE = "/raw/hubspot/contacts.parquet"  # rows are numbered without reading a file


def test_contact_ga4_id_check_spills_within_64_mb_at_a_million_contacts() -> None:
    connection = duckdb.connect(config={"memory_limit": "64MB", "threads": 2})
    connection.execute(f"CREATE SCHEMA {RAW_SCHEMA}")
    connection.execute(
        f"CREATE TABLE {RAW_SCHEMA}.hubspot_contacts AS SELECT 'c' || i AS id, "
        "json_object('email', 'e' || i || '@example.com', "
        "'ga4_client_id', i || '.' || (1700000000 + i)) AS properties, "
        f"'{FILE}' AS _file FROM range({CONTACTS}) AS t(i)"
    )
    # Contact c5 twice with another GA4 id; c7 twice, once without one (not a conflict).
    connection.execute(
        f"INSERT INTO {RAW_SCHEMA}.hubspot_contacts VALUES "
        f"('c5', json_object('ga4_client_id', '9.9'), '{FILE}'), "
        f"('c7', json_object('email', 'e7@example.com'), '{FILE}')"
    )
    problems = _Problems()
    loader = _Loader(connection, str, problems, RawLoad())
    loader._spans["hubspot_contacts"] = {FILE: (0, CONTACTS + 2)}

    loader.check_contact_ga4_ids(hubspot_contacts("ga4_client_id"), "ga4_client_id")

    assert problems.files == [FILE]
    assert len(problems.lines) == 1, problems.lines
    assert "contact c5 has several GA4 ids ('5.1700000005', '9.9')" in problems.lines[0]


def test_json_exports_load_within_100_mb(tmp_path: Path) -> None:
    """read_json's buffers follow maximum_object_size; at 64 MiB they ran the 1M-lead load
    out of a 500 MB limit, and this small export out of 200 MB."""
    raw = valid_raw_data().write(tmp_path / "raw", "jsonl.gz")
    connection = duckdb.connect(config={"memory_limit": "100MB", "threads": 2})

    loaded = load_raw_tables(connection, raw, str, "ga_client_id")

    assert loaded.rows["ga4_events"] > 0 and loaded.rows["hubspot_contacts"] > 0


def test_running_out_of_the_memory_limit_says_so_not_that_the_files_are_bad(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = valid_raw_data().write(tmp_path / "raw", "jsonl.gz")
    monkeypatch.setattr(raw_load, "JSON_MAX_OBJECT_BYTES", 64 * 1024 * 1024)  # the old size
    connection = duckdb.connect(config={"memory_limit": "100MB", "threads": 2})

    with pytest.raises(LoadError) as raised:
        load_raw_tables(connection, raw, str, "ga_client_id")

    message = str(raised.value)
    assert f"the raw load of {raw} ran out of DuckDB's memory_limit (95.3 MiB)" in message
    assert "raise scripts/load_duckdb --memory-limit" in message
    assert "events_" not in message and "correct the export" not in message


@pytest.mark.parametrize("event_format", ["jsonl.gz", "parquet"])
def test_converting_keeps_the_exported_columns_with_timestamps_as_int64(
    tmp_path: Path, event_format: str
) -> None:
    """The timestamps are cast while reading, into a column that replaces the text one once
    the checks pass: `ALTER … SET DATA TYPE` rewrote the table and ran out of 100 MB at 1M
    leads (bench/pipeline/results.md, run 8)."""
    data = valid_raw_data()
    raw = data.write(tmp_path / "raw", event_format)
    connection = duckdb.connect(config={"memory_limit": "100MB", "threads": 2})

    load_raw_tables(connection, raw, str, "ga_client_id")

    columns = connection.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'raw' AND table_name = 'ga4_events'"
    ).fetchall()
    assert dict(columns)["event_timestamp"] == "BIGINT"
    assert sorted(name for name, _ in columns) == sorted(
        [c.name for c in GA4_EVENTS.columns] + ["_file"]
    )
    exported = [  # files in name order, each file's events in order
        int(event["event_timestamp"])
        for _, events in sorted(data.events_by_file().items())
        for event in events
    ]
    (loaded,) = connection.execute(
        "SELECT list(event_timestamp ORDER BY rowid) FROM raw.ga4_events"
    ).fetchone()
    assert loaded == exported
