"""The raw CSV tables as docs/raw-data.md defines them, and how each column is checked.

The checks are DuckDB SQL over the file read as text, so one scan validates every value;
each check yields a short problem text for the offending value, or NULL when it is fine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TIMESTAMP = "timestamp"


# The DuckDB type each kind is loaded as.
SQL_TYPES = {
    Kind.TEXT: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.DECIMAL: "DECIMAL(18, 2)",
    Kind.TIMESTAMP: "TIMESTAMP",
}

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
TIMESTAMP_SHAPE = "YYYY-MM-DD HH:MM:SS"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    # Empty fields are nulls (docs/raw-data.md); only the columns below may be empty.
    required: bool = True
    minimum: int | None = None


@dataclass(frozen=True)
class RawTable:
    name: str
    columns: tuple[Column, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "sessions",
        (
            Column("visitor_id", Kind.TEXT),
            Column("session_id", Kind.TEXT),
            Column("session_start", Kind.TIMESTAMP),
            Column("ga_session_number", Kind.INTEGER, minimum=1),
            Column("session_default_channel_group", Kind.TEXT, required=False),
            Column("engagement_time_msec", Kind.INTEGER, minimum=0),
            Column("page_views", Kind.INTEGER, minimum=0),
        ),
    ),
    RawTable(
        "contacts",
        (
            Column("contact_id", Kind.TEXT),
            Column("visitor_id", Kind.TEXT),
            Column("email", Kind.TEXT, required=False),
            Column("created_at", Kind.TIMESTAMP),
        ),
    ),
    RawTable(
        "deals",
        (
            Column("deal_id", Kind.TEXT),
            Column("contact_id", Kind.TEXT),
            # Allowed stages are a warehouse rule (a dbt test), not a type.
            Column("stage", Kind.TEXT),
            Column("amount", Kind.DECIMAL, required=False, minimum=0),
            Column("close_date", Kind.TIMESTAMP, required=False),
        ),
    ),
)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def problem_sql(column: Column) -> str:
    """SQL yielding a problem text for the text value of `column`, or NULL when valid."""
    value = quote_identifier(column.name)
    cases = [f"WHEN {value} IS NULL THEN {_empty_problem(column)}"]
    # Patterns first: DuckDB's casts also accept '1.0', ' 12' or '0x10' as integers.
    if column.kind is Kind.INTEGER:
        cases += [
            f"WHEN NOT regexp_full_match({value}, '-?[0-9]+') THEN 'is not an integer'",
            (f"WHEN TRY_CAST({value} AS BIGINT) IS NULL "
            "THEN 'is out of range for a 64-bit integer'"),
        ]
    elif column.kind is Kind.DECIMAL:
        cases += [
            (f"WHEN NOT regexp_full_match({value}, '-?[0-9]+(\\.[0-9]+)?') "
            "THEN 'is not a decimal number'"),
            f"WHEN TRY_CAST({value} AS DECIMAL(18, 2)) IS NULL THEN 'is out of range'",
        ]
    elif column.kind is Kind.TIMESTAMP:
        cases.append(
            f"WHEN NOT regexp_full_match({value}, "
            "'[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}') "
            f"OR TRY_STRPTIME({value}, '{TIMESTAMP_FORMAT}') IS NULL "
            f"THEN 'is not a valid timestamp (expected {TIMESTAMP_SHAPE}, UTC)'"
        )
    if column.minimum is not None:
        cases.append(
            f"WHEN TRY_CAST({value} AS DOUBLE) < {column.minimum} "
            f"THEN {_minimum_problem(column)}"
        )
    if len(cases) == 1 and not column.required:
        return "NULL"
    return "CASE " + " ".join(cases) + " END"


def load_sql(column: Column) -> str:
    """SQL converting the (already validated) text value of `column` to its type."""
    value = quote_identifier(column.name)
    # A plain cast: the checks already held timestamps to the documented shape.
    return f"CAST({value} AS {SQL_TYPES[column.kind]}) AS {value}"


def _empty_problem(column: Column) -> str:
    return "'is empty (a value is required)'" if column.required else "NULL"


def _minimum_problem(column: Column) -> str:
    if column.minimum == 0:
        return f"'is negative (expected {column.kind.value} >= 0)'"
    return f"'is below {column.minimum} (expected {column.kind.value} >= {column.minimum})'"
