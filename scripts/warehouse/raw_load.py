"""Validate the raw CSVs (docs/raw-data.md) and load them into the warehouse's `raw` schema.

Every file is read once by DuckDB as text into a temporary table, every value is checked
with one SQL scan, and only then converted into its typed table raw.<name>. Problems are
reported with the file, the line as numbered in the file (header = line 1), the column
and the offending value, and all files are checked before giving up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.errors import LoadError
from warehouse.raw_schema import RAW_TABLES, RawTable, load_sql, problem_sql, quote_identifier
from warehouse.settings import DisplayPath

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
# Invalid values listed per file; the rest are counted.
MAX_REPORTED = 10

REGENERATE = "regenerate the raw data with `leadscore generate`"
FORMAT_DOC = "docs/raw-data.md"


class _BadFile(Exception):
    """Problems found in one raw file, one line each."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class _BadValue:
    row_index: int  # 0-based data row, as DuckDB numbers it (blank lines skipped)
    column: str
    value: str | None
    problem: str


def load_raw_tables(
    connection: duckdb.DuckDBPyConnection, raw_dir: Path, display: DisplayPath
) -> dict[str, int]:
    """Loads every raw table into schema `raw`; returns the row count per table.

    Raises LoadError listing every problem found in any file; nothing is half-validated.
    """
    if not raw_dir.is_dir():
        raise LoadError(
            f"raw data folder {display(raw_dir)} does not exist", _remedy([], missing=True)
        )
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    rows: dict[str, int] = {}
    problems: list[str] = []
    bad_files: list[str] = []
    missing = False
    for table in RAW_TABLES:
        path = raw_dir / table.file_name
        try:
            rows[table.name] = _load_table(connection, table, path, display)
        except _BadFile as error:
            problems += error.problems
            if path.is_file():
                bad_files.append(display(path))
            else:
                missing = True
    if problems:
        raise LoadError(problems, _remedy(bad_files, missing))
    return rows


def _remedy(bad_files: list[str], missing: bool) -> str:
    remedy = f"To fix: {REGENERATE}"
    if bad_files:
        remedy += f", or fix the export that wrote {', '.join(bad_files)} (format: {FORMAT_DOC})"
    if missing:
        names = ", ".join(table.file_name for table in RAW_TABLES)
        remedy += f", or pass --raw DIR naming a folder with {names}"
    return remedy + "."


def _load_table(
    connection: duckdb.DuckDBPyConnection, table: RawTable, path: Path, display: DisplayPath
) -> int:
    shown = display(path)
    header = _read_header(table, path, shown)
    text_table = f"raw_text_{table.name}"
    _read_as_text(connection, path, shown, header, text_table)
    try:
        row_count = _scalar(connection, f"SELECT count(*) FROM {text_table}")
        if row_count == 0:
            raise _BadFile(f"{shown} has a header but no rows")
        bad_values, total_bad = _find_bad_values(connection, table, text_table)
        if bad_values:
            raise _BadFile(*_describe(bad_values, total_bad, path, shown))
        columns = ", ".join(load_sql(column) for column in table.columns)
        connection.execute(
            f"CREATE TABLE {RAW_SCHEMA}.{table.name} AS SELECT {columns} FROM {text_table}"
        )
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {text_table}")
    log.info("loaded %s: %d rows", shown, row_count)
    return row_count


def _read_header(table: RawTable, path: Path, shown: str) -> list[str]:
    if not path.is_file():
        raise _BadFile(f"{shown} is missing")
    # utf-8-sig: tolerate the byte order mark some spreadsheet exports add.
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            first_line = file.readline()
    except UnicodeDecodeError:
        raise _BadFile(f"{shown} line 1: not UTF-8 text") from None
    header = [name.strip() for name in first_line.rstrip("\r\n").split(",")]
    if header == [""]:
        raise _BadFile(f"{shown} is empty (no header line)")
    expected = table.column_names
    missing = [name for name in expected if name not in header]
    if missing:
        raise _BadFile(
            f"{shown} is missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (expected columns: {', '.join(expected)})"
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise _BadFile(f"{shown} has duplicate columns: {', '.join(duplicates)}")
    extra = [name for name in header if name not in expected]
    if extra:
        log.info("%s: ignoring extra columns %s", shown, ", ".join(extra))
    return header


def _read_as_text(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    shown: str,
    header: list[str],
    text_table: str,
) -> None:
    # The header is given, not sniffed: every value stays text for the checks, and a row
    # with the wrong number of fields is reported with its line instead of a sniffer error.
    columns = "{" + ", ".join(f"'{_sql_text(name)}': 'VARCHAR'" for name in header) + "}"
    try:
        connection.execute(
            f"CREATE TEMP TABLE {text_table} AS SELECT * FROM read_csv("
            f"'{_sql_text(str(path))}', header = true, auto_detect = false, "
            f"columns = {columns}, delim = ',', quote = '', escape = '', "
            "strict_mode = true)"
        )
    except duckdb.Error as error:
        raise _BadFile(_csv_error(shown, str(error))) from error


def _csv_error(shown: str, message: str) -> str:
    line = re.search(r"CSV Error on Line: (\d+)", message)
    original = re.search(r"Original Line: (.*)", message)
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if line and counts:
        text = f" ({original.group(1)!r})" if original else ""
        return (
            f"{shown} line {line.group(1)}: expected {counts.group(1)} fields, "
            f"found {counts.group(2)}{text}"
        )
    if line:
        return f"{shown} line {line.group(1)}: not valid CSV: {message.splitlines()[0]}"
    return f"{shown} is not valid CSV: {message.splitlines()[0]}"


def _find_bad_values(
    connection: duckdb.DuckDBPyConnection, table: RawTable, text_table: str
) -> tuple[list[_BadValue], int]:
    """The first MAX_REPORTED invalid values (by line) and how many there are in all."""
    checks = [(column, problem_sql(column)) for column in table.columns]
    checks = [(column, sql) for column, sql in checks if sql != "NULL"]
    problems = ", ".join(f"{sql} AS p{index}" for index, (_, sql) in enumerate(checks))
    checked = f"(SELECT rowid AS row_index, *, {problems} FROM {text_table})"
    counts = ", ".join(f"count(p{index})" for index in range(len(checks)))
    total = sum(connection.execute(f"SELECT {counts} FROM {checked}").fetchone() or ())
    if total == 0:
        return [], 0
    any_problem = " OR ".join(f"p{index} IS NOT NULL" for index in range(len(checks)))
    selected = ", ".join(
        f"{quote_identifier(column.name)}, p{index}" for index, (column, _) in enumerate(checks)
    )
    rows = connection.execute(
        f"SELECT row_index, {selected} FROM {checked} WHERE {any_problem} "
        f"ORDER BY row_index LIMIT {MAX_REPORTED}"
    ).fetchall()
    bad_values = [
        _BadValue(row[0], column.name, row[1 + 2 * index], row[2 + 2 * index])
        for row in rows
        for index, (column, _) in enumerate(checks)
        if row[2 + 2 * index] is not None
    ]
    return bad_values[:MAX_REPORTED], total


def _describe(bad_values: list[_BadValue], total: int, path: Path, shown: str) -> list[str]:
    lines = _file_lines(path, {bad.row_index for bad in bad_values})
    described = []
    for bad in bad_values:
        value = "value" if bad.value is None else repr(bad.value)
        described.append(
            f"{shown} line {lines[bad.row_index]}, column {bad.column}: {value} {bad.problem}"
        )
    if total > len(bad_values):
        described.append(f"{shown}: ... and {total - len(bad_values)} more invalid values")
    return described


def _file_lines(path: Path, row_indexes: Iterable[int]) -> dict[int, int]:
    """Maps 0-based data rows to line numbers in the file (header = line 1).

    DuckDB skips blank lines, so a row's line is found by counting non-blank lines; the
    file is only read up to the last row wanted, and only when there is a problem.
    """
    wanted = set(row_indexes)
    found: dict[int, int] = {}
    row_index = -1  # the header
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
        for line_number, line in enumerate(file, start=1):
            if line.rstrip("\r\n") == "":
                continue
            if row_index in wanted:
                found[row_index] = line_number
                if len(found) == len(wanted):
                    break
            row_index += 1
    return found


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
