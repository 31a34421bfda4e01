"""GA4 Parquet files are read in batches, and a batch changes nothing but the memory.

One read_parquet over every file kept every file's metadata until the scan ended: 6.1 GiB
at 10M leads under a 500 MB memory_limit. Batches bound that; what must not change is what
lands in raw.ga4_events (rows in file order, so line numbers hold; a field a file leaves out
is NULL for that file alone) and which file an error names.
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
from warehouse.raw_schema import RAW_SCHEMA

EVERY_FILE_ALONE = 1  # bytes: each batch holds the one file that passes the limit


@pytest.fixture
def parquet_raw(tmp_path: Path) -> Path:
    """The valid export as Parquet, its second day file without user_id (as an export of
    a tag that never sets it writes it)."""
    raw = valid_raw_data().write(tmp_path / "raw", "parquet")
    files = sorted((raw / "ga4").glob("events_*.parquet"))
    assert len(files) >= 3, files
    thinned = files[1].with_name("thinned.parquet")
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * EXCLUDE (user_id) FROM read_parquet('{files[1]}')) "
            f"TO '{thinned}' (FORMAT parquet)"
        )
    thinned.replace(files[1])
    return raw


def _events(raw: Path, batch_bytes: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    monkeypatch.setattr(raw_load, "PARQUET_BATCH_BYTES", batch_bytes)
    with duckdb.connect() as connection:
        raw_load.load_raw_tables(connection, raw, str, "ga_client_id")
        return connection.execute(
            f"SELECT _file, event_timestamp, event_name, user_pseudo_id, user_id "
            f"FROM {RAW_SCHEMA}.ga4_events ORDER BY rowid"
        ).fetchall()


def test_batches_load_the_rows_one_scan_loads_in_the_same_order(
    parquet_raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_scan = _events(parquet_raw, raw_load.PARQUET_BATCH_BYTES, monkeypatch)
    batched = _events(parquet_raw, EVERY_FILE_ALONE, monkeypatch)
    assert batched == one_scan
    # Files follow one another, each file's rows in its own order.
    files = [row[0] for row in batched]
    assert files == sorted(files)
    thinned = sorted((parquet_raw / "ga4").glob("*.parquet"))[1]
    user_ids = {row[0]: set() for row in batched}
    for row in batched:
        user_ids[row[0]].add(row[4])
    assert user_ids[str(thinned)] == {None}
    assert any(ids - {None} for name, ids in user_ids.items() if name != str(thinned)), (
        "the fixture sets user_id in the other files, so the test can see a column vanish"
    )


def test_an_unreadable_file_is_named_alone(
    parquet_raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted((parquet_raw / "ga4").glob("*.parquet"))
    files[2].write_bytes(files[2].read_bytes()[:100])  # cut short: no footer
    monkeypatch.setattr(raw_load, "PARQUET_BATCH_BYTES", EVERY_FILE_ALONE)
    with duckdb.connect() as connection, pytest.raises(LoadError) as raised:
        raw_load.load_raw_tables(connection, parquet_raw, str, "ga_client_id")
    message = str(raised.value)
    assert f"{files[2]}: cannot be read as GA4 Parquet" in message
    assert str(files[0]) not in message and str(files[3 % len(files)]) not in message
