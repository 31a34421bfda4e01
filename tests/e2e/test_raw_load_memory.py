"""The raw load's checks stay within a small DuckDB memory_limit at scale.

At 10M leads with `--memory-limit 500MB` the load stopped with DuckDB's out-of-memory error
in the "one contact id, several GA4 ids" check: ordered lists and count(DISTINCT) per
contact over every contact do not spill. The same shape at 1M contacts under 64 MB fails
the same way, so this guards it in seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from warehouse.raw_load import RawLoad, _Loader, _Problems
from warehouse.raw_schema import RAW_SCHEMA, hubspot_contacts

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
