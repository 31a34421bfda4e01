"""Load and validate the raw exports (docs/sources.md) into the warehouse's `raw` schema.

DuckDB reads every file itself (read_json / read_parquet with explicit types), streaming
into raw.ga4_events, raw.hubspot_contacts and raw.hubspot_deals: no event passes through
Python. The checks are then SQL over those tables (raw_schema.py). A problem is reported
with the file, the line as numbered in the file, the field and what to do; every table
is checked before giving up. Line numbers come from the table's insertion order (DuckDB
keeps each file's rows in order, files one after the other): a row's index within its
file is mapped to its line by reading that one file, only when it is reported.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb

from warehouse.errors import LoadError
from warehouse.raw_schema import (
    FILE_COLUMN,
    GA4_EVENTS,
    HUBSPOT_DEALS,
    RAW_SCHEMA,
    RawSource,
    hubspot_contacts,
    property_sql,
)
from warehouse.settings import DisplayPath

log = logging.getLogger(__name__)

# Problems listed per table; the rest are counted.
MAX_REPORTED = 10
FORMAT_DOC = "docs/sources.md"
EVENTS_DIR = "ga4"
HUBSPOT_DIR = "hubspot"
CONTACTS_FILE = "contacts.jsonl"
DEALS_FILE = "deals.jsonl"
# bq extract writes NEWLINE_DELIMITED_JSON (.json / .jsonl, optionally gzipped) or PARQUET;
# a wildcard extract names its shards events_YYYYMMDD-000000000000.json.gz.
JSON_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz")
PARQUET_SUFFIXES = (".parquet",)
# read_json's maximum_object_size, at DuckDB's default: its reader holds buffers of twice this
# per file it reads at once, so 64 MiB ran the 1M-lead raw load out of a 500 MB memory_limit
# in seconds (and the small test export out of 200 MB). A longer line still loads.
JSON_MAX_OBJECT_BYTES = 16 * 1024 * 1024


@dataclass
class RawLoad:
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Problems:
    lines: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # shown paths of the files at fault

    def add(self, shown_file: str, *lines: str) -> None:
        self.lines += lines
        if shown_file not in self.files:
            self.files.append(shown_file)


class _Unreadable(Exception):
    """A file DuckDB could not read; the message names the file and the line."""


def load_raw_tables(
    connection: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    display: DisplayPath,
    contact_ga4_property: str,
) -> RawLoad:
    """Loads the raw exports into schema `raw`; the row count per table and warnings.

    Raises LoadError listing every problem found (file, line, field); nothing is loaded
    half-validated (the caller builds into a temporary warehouse).
    """
    if not raw_dir.is_dir():
        raise LoadError(
            f"raw data folder {display(raw_dir)} does not exist",
            "To fix: pass --raw DIR naming a folder with ga4/events_*.jsonl.gz and "
            "hubspot/contacts.jsonl, hubspot/deals.jsonl (write one with `leadscore "
            f"generate`; format: {FORMAT_DOC}).",
        )
    try:
        return _load_checked(connection, raw_dir, display, contact_ga4_property)
    except duckdb.OutOfMemoryException as error:
        limit = connection.execute("SELECT current_setting('memory_limit')").fetchone()
        raise LoadError(
            f"the raw load of {display(raw_dir)} ran out of DuckDB's memory_limit "
            f"({limit[0] if limit else '?'}): {str(error).splitlines()[0]}",
            "To fix: raise scripts/load_duckdb --memory-limit, and tell us: every step of "
            "the raw load is meant to spill to disk within it (docs/scale.md).",
        ) from error


def _load_checked(
    connection: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    display: DisplayPath,
    contact_ga4_property: str,
) -> RawLoad:
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    result = RawLoad()
    problems = _Problems()
    contacts = hubspot_contacts(contact_ga4_property)
    loader = _Loader(connection, display, problems, result)

    event_files = _event_files(raw_dir, display, problems, result)
    if event_files:
        loader.load(GA4_EVENTS, event_files)
    for source, name in ((contacts, CONTACTS_FILE), (HUBSPOT_DEALS, DEALS_FILE)):
        path = raw_dir / HUBSPOT_DIR / name
        if path.is_file():
            loader.load(source, [path])
        else:
            problems.add(display(path), f"{display(path)} is missing")
    if contacts.table in loader.loaded:
        loader.check_contact_ga4_ids(contacts, contact_ga4_property)
    if {contacts.table, HUBSPOT_DEALS.table} <= loader.loaded:
        loader.check_deal_contacts(contacts)
    if problems.lines:
        raise LoadError(problems.lines, _remedy(problems.files))
    for source in (GA4_EVENTS, contacts, HUBSPOT_DEALS):
        loader.convert(source)
    return result


def _remedy(files: list[str]) -> str:
    shown = ", ".join(files[:5]) + (", …" if len(files) > 5 else "")
    return (
        f"To fix: correct the export that wrote {shown} (format: {FORMAT_DOC}), or regenerate "
        "the raw data with `leadscore generate`."
    )


def event_files(raw_dir: Path, display: DisplayPath) -> list[Path]:
    """The GA4 export files of `raw_dir`/ga4, chosen by the rule the DuckDB load uses (for
    scripts/load_spark); warnings are logged, and LoadError says when there are none."""
    problems = _Problems()
    result = RawLoad()
    files = _event_files(raw_dir, display, problems, result)
    for warning in result.warnings:
        log.warning("%s", warning)
    if problems.lines:
        raise LoadError(problems.lines, _remedy(problems.files))
    return files


def _event_files(
    raw_dir: Path, display: DisplayPath, problems: _Problems, result: RawLoad
) -> list[Path]:
    folder = raw_dir / EVENTS_DIR
    shown = display(folder)
    if not folder.is_dir():
        problems.add(
            shown,
            f"{shown} is missing: no GA4 events (expected {shown}/events_YYYYMMDD"
            ".jsonl.gz, one file per day)",
        )
        return []
    files: list[Path] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith("events_intraday_"):
            result.warnings.append(
                f"{display(path)} ignored: intraday tables are provisional, export the daily "
                "events_YYYYMMDD tables"
            )
        elif name.startswith("events_") and name.endswith(JSON_SUFFIXES + PARQUET_SUFFIXES):
            files.append(path)
        elif not name.startswith("."):
            result.warnings.append(f"{display(path)} ignored: not an events_* export file")
    if not files:
        problems.add(
            shown,
            f"{shown} holds no events_* files (.jsonl, .jsonl.gz, .json, "
            ".json.gz or .parquet): the GA4 export is empty",
        )
    return files


class _Loader:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        display: DisplayPath,
        problems: _Problems,
        result: RawLoad,
    ) -> None:
        self._connection = connection
        self._display = display
        self._problems = problems
        self._result = result
        self.loaded: set[str] = set()
        # Per table: file -> (first rowid, row count), for line numbers and empty files.
        self._spans: dict[str, dict[str, tuple[int, int]]] = {}

    # --- reading -----------------------------------------------------------------------

    def load(self, source: RawSource, paths: list[Path]) -> None:
        table = f"{RAW_SCHEMA}.{source.table}"
        json_files = [p for p in paths if p.name.endswith(JSON_SUFFIXES)]
        parquet_files = [p for p in paths if p.name.endswith(PARQUET_SUFFIXES)]
        columns = ", ".join(f'"{c.name}"' for c in source.columns)
        declared = ", ".join(f'"{c.name}" {c.read_type}' for c in source.columns)
        typed = "".join(
            f', "{_typed_name(c.name)}" {c.load_type}' for c in source.columns if c.load_type
        )
        self._connection.execute(f"CREATE TABLE {table} ({declared}, {FILE_COLUMN} VARCHAR{typed})")
        try:
            if json_files:
                self._read_json(source, table, columns, json_files)
            if parquet_files:
                self._read_parquet(source, table, parquet_files)
        except _Unreadable as error:
            self._problems.add(str(error.args[1]), str(error.args[0]))
            return
        spans = {
            row[0]: (int(row[1]), int(row[2]))
            for row in self._connection.execute(
                f"SELECT {FILE_COLUMN}, min(rowid), count(*) FROM {table} GROUP BY ALL"
            ).fetchall()
        }
        self._spans[source.table] = spans
        total = sum(count for _, count in spans.values())
        self._result.rows[source.table] = total
        empty = [self._display(p) for p in paths if str(p) not in spans]
        if total == 0:
            where = (
                f"{empty[0]} holds"
                if len(empty) == 1
                else f"{self._display(paths[0].parent)}: its {len(empty)} files hold"
            )
            self._problems.add(empty[0], f"{where} no {source.what} rows: the export is empty")
            return
        for shown in empty:
            self._result.warnings.append(f"{shown} holds no {source.what} rows")
        log.info("loaded %s: %d rows from %d files", table, total, len(paths))
        if self._check(source, table):
            self.loaded.add(source.table)

    def _read_json(self, source: RawSource, table: str, columns: str, files: list[Path]) -> None:
        listed = "[" + ", ".join(_sql_text(str(p)) for p in files) + "]"
        try:
            self._connection.execute(
                _insert(
                    source,
                    table,
                    f"SELECT {columns}, filename FROM read_json({listed}, "
                    f"format = 'newline_delimited', columns = {source.read_columns_sql()}, "
                    f"filename = true, maximum_object_size = {JSON_MAX_OBJECT_BYTES})",
                )
            )
        except duckdb.OutOfMemoryException:
            raise  # not the files' fault: load_raw_tables says what to do
        except duckdb.Error as error:
            raise _Unreadable(*self._json_error(str(error), files)) from error

    def _read_parquet(self, source: RawSource, table: str, files: list[Path]) -> None:
        # One scan over every file. Batches of ~64 MiB of files held less memory at 1M
        # leads, but at 10M DuckDB's automatic checkpoint after them ran out of the limit
        # and invalidated the database, committed batch by batch or in one transaction
        # (bench/pipeline/results.md, run 7). One scan passed there.
        schemas = {path: self._parquet_schema(path) for path in files}
        # union_by_name makes DuckDB open every file before the scan and keep each footer,
        # parsed, until it ends: memory outside its limit that grows with the export (1.2
        # GiB against 0.7 at 1M leads at 500 MB, 6.1 GiB at 10M). Files that agree on
        # their columns do not need it, and a daily export only changes them with GA4.
        union = len(set(schemas.values())) > 1
        present = {name for schema in schemas.values() for name, _ in schema}
        listed = "[" + ", ".join(_sql_text(str(p)) for p in files) + "]"
        scan = f"read_parquet({listed}, union_by_name = {str(union).lower()}, filename = true)"
        try:
            # BigQuery's Parquet has the same columns; nested records are cast by name,
            # so extra fields are dropped and absent ones are NULL.
            select = ", ".join(
                (
                    f'CAST("{c.name}" AS {c.read_type}) AS "{c.name}"'
                    if c.name in present
                    else f'NULL::{c.read_type} AS "{c.name}"'
                )
                for c in source.columns
            )
            self._connection.execute(
                _insert(source, table, f"SELECT {select}, filename FROM {scan}")
            )
        except duckdb.OutOfMemoryException:
            raise  # not the files' fault: load_raw_tables says what to do
        except duckdb.Error as error:
            message = str(error).splitlines()[0]
            shown = ", ".join(self._display(p) for p in files)
            raise _Unreadable(
                f"{shown}: cannot be read as GA4 Parquet: {message}", shown
            ) from error

    def _parquet_schema(self, path: Path) -> tuple[tuple[str, str], ...]:
        """(column, DuckDB type) of one Parquet file, reading only its footer."""
        try:
            rows = self._connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_sql_text(str(path))})"
            ).fetchall()
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as error:
            shown = self._display(path)
            message = str(error).splitlines()[0]
            raise _Unreadable(f"{shown}: cannot be read as Parquet: {message}", shown) from error
        return tuple((str(row[0]), str(row[1])) for row in rows)

    def _json_error(self, message: str, files: list[Path]) -> tuple[str, str]:
        """The problem line for DuckDB's error, with the line found by reading the file."""
        first = message.splitlines()[0]
        named = re.search(r'in file "([^"]+)"', message)
        path = next((p for p in files if named and str(p) == named.group(1)), None)
        if path is None:
            shown = ", ".join(self._display(p) for p in files)
            return f"{shown}: cannot be read: {first}", shown
        shown = self._display(path)
        try:
            located = _locate_bad_line(path, message)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            return f"{shown}: cannot be read ({error}): {first}", shown
        if located is None:
            return f"{shown}: cannot be read: {first}", shown
        line, what = located
        return f"{shown} line {line}: {what} (DuckDB: {first})", shown

    # --- checking ----------------------------------------------------------------------

    def _check(self, source: RawSource, table: str) -> bool:
        checks = source.checks
        problems = ", ".join(f"{c.problem_sql} AS p{i}" for i, c in enumerate(checks))
        values = ", ".join(f"CAST({c.value_sql} AS VARCHAR) AS v{i}" for i, c in enumerate(checks))
        checked = f"(SELECT rowid AS row_id, {FILE_COLUMN}, {values}, {problems} FROM {table})"
        any_problem = " OR ".join(f"p{i} IS NOT NULL" for i in range(len(checks)))
        counts = ", ".join(f"count(p{i})" for i in range(len(checks)))
        total = sum(self._connection.execute(f"SELECT {counts} FROM {checked}").fetchone() or ())
        if total == 0:
            return True
        rows = self._connection.execute(
            f"SELECT * FROM {checked} WHERE {any_problem} ORDER BY row_id LIMIT {MAX_REPORTED}"
        ).fetchall()
        found: list[tuple[int, str, str, str | None, str]] = []
        for row in rows:
            row_id, file_name = row[0], row[1]
            for i, check in enumerate(checks):
                value, problem = row[2 + i], row[2 + len(checks) + i]
                if problem is not None:
                    found.append((row_id, file_name, check.field, value, problem))
        lines = self._lines(source.table, [(f[1], f[0]) for f in found])
        for row_id, file_name, field_name, value, problem in found[:MAX_REPORTED]:
            shown = self._display(Path(file_name))
            shown_value = "" if value is None else f"{_repr(value)} "
            self._problems.add(
                shown,
                f"{shown} {lines[(file_name, row_id)]}, field {field_name}: {shown_value}{problem}",
            )
        if total > min(len(found), MAX_REPORTED):
            self._problems.lines.append(
                f"    ... and {total - min(len(found), MAX_REPORTED)} more problems in "
                f"raw.{source.table}"
            )
        return False

    def check_contact_ga4_ids(self, contacts: RawSource, ga4_property: str) -> None:
        """One contact id on several lines with different GA4 ids: which one is the lead's?"""
        table = f"{RAW_SCHEMA}.{contacts.table}"
        ga4_id = property_sql(ga4_property)
        # Find the conflicting ids with plain DISTINCT/GROUP BY first, which DuckDB spills;
        # ordered lists and count(DISTINCT) over every contact do not spill, and at 10M
        # contacts they ran out of a 500 MB memory_limit. Only the few conflicts get lists.
        rows = self._connection.execute(
            f"WITH several AS ("
            f"  SELECT id FROM (SELECT DISTINCT id, {ga4_id} AS ga4_id FROM {table}) "
            f"  WHERE ga4_id IS NOT NULL GROUP BY id HAVING count(*) > 1"
            f") "
            f"SELECT id, list(rowid ORDER BY rowid), list({ga4_id} ORDER BY rowid), "
            f"any_value({FILE_COLUMN}) FROM {table} WHERE id IN (SELECT id FROM several) "
            f"GROUP BY id ORDER BY min(rowid) LIMIT {MAX_REPORTED}"
        ).fetchall()
        for contact_id, row_ids, ga4_ids, file_name in rows:
            lines = self._lines(contacts.table, [(file_name, r) for r in row_ids])
            where = " and ".join(lines[(file_name, r)] for r in row_ids).replace("line ", "")
            shown = self._display(Path(file_name))
            distinct = ", ".join(_repr(v) for v in dict.fromkeys(g for g in ga4_ids if g))
            self._problems.add(
                shown,
                f"{shown} lines {where}, field properties.{ga4_property}: contact {contact_id} "
                f"has several GA4 ids ({distinct}); a contact property holds one value: "
                "keep one object per contact id",
            )

    def check_deal_contacts(self, contacts: RawSource) -> None:
        deals = f"{RAW_SCHEMA}.{HUBSPOT_DEALS.table}"
        rows = self._connection.execute(
            f"SELECT d.row_id, d.{FILE_COLUMN}, d.id, d.contact_id FROM ("
            f"  SELECT rowid AS row_id, {FILE_COLUMN}, id, "
            f"         unnest(associations.contacts.results).id AS contact_id FROM {deals}"
            f") AS d WHERE d.contact_id IS NOT NULL AND d.contact_id NOT IN "
            f"(SELECT id FROM {RAW_SCHEMA}.{contacts.table} WHERE id IS NOT NULL) "
            f"ORDER BY d.row_id LIMIT {MAX_REPORTED}"
        ).fetchall()
        if not rows:
            return
        lines = self._lines(HUBSPOT_DEALS.table, [(r[1], r[0]) for r in rows])
        for row_id, file_name, deal_id, contact_id in rows:
            shown = self._display(Path(file_name))
            self._problems.add(
                shown,
                f"{shown} {lines[(file_name, row_id)]}, field associations.contacts.results.id: "
                f"deal {deal_id} is associated with contact {contact_id}, which is not in "
                f"{CONTACTS_FILE}: export contacts and deals together (same portal, same time)",
            )

    def _lines(self, table: str, rows: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """'line N' (JSON) or 'row N' (Parquet) of each (file, rowid)."""
        spans = self._spans[table]
        wanted: dict[str, set[int]] = {}
        for file_name, row_id in rows:
            wanted.setdefault(file_name, set()).add(row_id - spans[file_name][0])
        found: dict[tuple[str, int], str] = {}
        for file_name, indexes in wanted.items():
            start = spans[file_name][0]
            if file_name.endswith(PARQUET_SUFFIXES):
                numbered = {index: f"row {index + 1}" for index in indexes}
            else:
                numbered = {
                    index: f"line {line}" for index, line in _file_lines(Path(file_name), indexes)
                }
            for index, text in numbered.items():
                found[(file_name, start + index)] = text
        return found

    # --- converting --------------------------------------------------------------------

    def convert(self, source: RawSource) -> None:
        """Puts each validated column's typed copy in its place. Dropping and renaming
        columns leaves the stored rows alone; `ALTER … SET DATA TYPE` rewrote the whole
        nested event table and ran out of a 100 MB memory_limit at 1M leads."""
        table = f"{RAW_SCHEMA}.{source.table}"
        for column in source.columns:
            if column.load_type:
                self._connection.execute(f'ALTER TABLE {table} DROP COLUMN "{column.name}"')
                self._connection.execute(
                    f'ALTER TABLE {table} RENAME COLUMN "{_typed_name(column.name)}" '
                    f'TO "{column.name}"'
                )


def _typed_name(column: str) -> str:
    """The column holding `column` already cast to its load type, until convert."""
    return f"_{column}_loaded"


def _insert(source: RawSource, table: str, read: str) -> str:
    """INSERT of the rows `read` selects (the columns as read, then the file name), with
    each column that has a load type also cast to it: TRY_CAST, because only the checks
    that follow may judge a value, and they pass only where the cast succeeds."""
    typed = "".join(
        f', TRY_CAST("{c.name}" AS {c.load_type})' for c in source.columns if c.load_type
    )
    if not typed:
        return f"INSERT INTO {table} {read}"
    return f"INSERT INTO {table} SELECT *{typed} FROM ({read})"


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return path.open(encoding="utf-8", errors="replace", newline="")


def _records(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line: DuckDB skips blank lines."""
    with _open_text(path) as file:
        for line_number, line in enumerate(file, start=1):
            if line.strip():
                yield line_number, line


def _file_lines(path: Path, indexes: set[int]) -> Iterator[tuple[int, int]]:
    """(row index, line number) for the wanted 0-based row indexes; reads up to the last."""
    remaining = set(indexes)
    for index, (line_number, _) in enumerate(_records(path)):
        if index in remaining:
            yield index, line_number
            remaining.discard(index)
            if not remaining:
                return


def _locate_bad_line(path: Path, message: str) -> tuple[int, str] | None:
    """The first line DuckDB could not read: invalid JSON, or (a conversion error) the
    first line holding the value it names, with the field holding it."""
    cast = re.search(r'Failed to cast value to [^:]*: "(.*)"', message)
    for line_number, line in _records(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            return line_number, f"not valid JSON ({error.msg} at column {error.colno})"
        if not isinstance(record, dict):
            return line_number, "not a JSON object (one object per line expected)"
        if cast:
            where = _path_of(record, cast.group(1))
            if where is not None:
                return line_number, f"field {where}: {_repr(cast.group(1))} has the wrong type"
    return None


def _path_of(value: object, wanted: str, prefix: str = "") -> str | None:
    if isinstance(value, dict):
        for key, item in value.items():
            found = _path_of(item, wanted, f"{prefix}.{key}" if prefix else str(key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _path_of(item, wanted, prefix)
            if found is not None:
                return found
    elif str(value) == wanted or json.dumps(value) == wanted:
        return prefix
    return None


def _repr(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
