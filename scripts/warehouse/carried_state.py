"""State the rebuild must keep: tables that programs other than dbt append to over days.

scripts/load_duckdb builds a new warehouse file from the raw exports and swaps it in, so
anything only the old file holds would be lost at every load (daily, through scripts/retrain
and the scheduled rescore). main.lead_score_history is such a table: scripts/rescore appends
one row per open lead and day, and the trends, the top movers and a lead's history need the
earlier days. The daily write-back's state is another (scripts/daily_writeback): what HubSpot
last acknowledged per lead (losing it would rewrite every contact the next day) and which
leads Slack already heard about (losing it would alert them again inside the window). Each
table of CARRIED_TABLES that the old warehouse has is copied, as it is,
into the new one before dbt builds it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.errors import LoadError
from warehouse.settings import DisplayPath

# (schema, table) copied from the previous warehouse into the rebuilt one.
CARRIED_TABLES = (
    ("main", "lead_score_history"),
    ("main", "hubspot_written"),
    ("main", "slack_grade_a_alerts"),
    ("main", "slack_digests"),
)


def carry_over(
    connection: duckdb.DuckDBPyConnection, previous: Path, show: DisplayPath
) -> dict[str, int]:
    """Copies CARRIED_TABLES from the warehouse file `previous` (if it exists) into the
    database of `connection`; returns the rows copied per table (none for a table the old
    warehouse lacks). LoadError when the old file cannot be read."""
    if not previous.is_file():
        return {}
    try:
        connection.execute("ATTACH ? AS previous (READ_ONLY)", [str(previous)])
    except duckdb.Error as error:
        raise LoadError(
            f"cannot read {show(previous)} to keep its {_names()} ({error})",
            "To fix: stop the program writing the warehouse (e.g. scripts/rescore), then run "
            "scripts/load_duckdb again; the warehouse is unchanged.",
        ) from error
    try:
        copied = {}
        for schema, table in CARRIED_TABLES:
            present = connection.execute(
                "SELECT count(*) FROM duckdb_tables() "
                "WHERE database_name = 'previous' AND schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchone()
            if not present or not present[0]:
                continue
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            connection.execute(
                f"CREATE TABLE {schema}.{table} AS SELECT * FROM previous.{schema}.{table}"
            )
            (rows,) = connection.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()
            copied[f"{schema}.{table}"] = int(rows)
        return copied
    finally:
        connection.execute("DETACH previous")


def _names() -> str:
    return ", ".join(f"{schema}.{table}" for schema, table in CARRIED_TABLES)
