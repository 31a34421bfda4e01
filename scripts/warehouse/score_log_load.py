"""Load leadscore serve's score logs (docs/monitoring.md) into raw.leadscore_score_log.

Every line of every `*.jsonl*` file of the folder (rotated `scores.jsonl.1` and gzipped
`.gz` ones too) is one score: validated here, line by line, so a bad record is reported as
file:line: field: what is wrong, and nothing is loaded until every file is clean (the
warehouse build is all or nothing). DuckDB then reads the same files into the table.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import duckdb

from warehouse.errors import LoadError
from warehouse.raw_schema import RAW_SCHEMA
from warehouse.settings import DisplayPath

log = logging.getLogger(__name__)

SCORE_LOG_TABLE = "leadscore_score_log"
GRADES = ("A", "B", "C", "D")
MAX_REPORTED = 10
# The types DuckDB reads the validated lines with; `features` stays JSON text.
_COLUMNS = {
    "scored_at": "VARCHAR",
    "lead_id": "VARCHAR",
    "email": "VARCHAR",
    "model_version": "VARCHAR",
    "model_test_auc": "DOUBLE",
    "score": "DOUBLE",
    "grade": "VARCHAR",
    "features": "JSON",
}


def score_log_files(folder: Path) -> list[Path]:
    """The folder's score log files, in name order; [] when the folder does not exist."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and ".jsonl" in p.name)


def load_score_logs(
    connection: duckdb.DuckDBPyConnection, folder: Path, display: DisplayPath
) -> int | None:
    """Validates and loads the folder's score logs; the row count, or None without a folder.

    Raises LoadError listing (up to MAX_REPORTED) bad records by file and line."""
    if not folder.is_dir():
        log.info("no score logs in %s (folder missing): no served scores loaded", display(folder))
        return None
    files = score_log_files(folder)
    problems: list[str] = []
    for path in files:
        for line_number, problem in _problems(path):
            if len(problems) < MAX_REPORTED:
                problems.append(f"{display(path)}:{line_number}: {problem}")
            else:
                problems.append("")
    if problems:
        shown = [p for p in problems if p]
        hidden = len(problems) - len(shown)
        raise LoadError(
            shown + ([f"  … and {hidden} more bad records"] if hidden else []),
            "To fix: each line must be one score record as leadscore serve --score-log writes "
            'it (docs/monitoring.md, "The score log"); correct or remove the lines named, '
            f"or move the file out of {display(folder)}, then run scripts/load_duckdb again.",
        )
    table = f"{RAW_SCHEMA}.{SCORE_LOG_TABLE}"
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in _COLUMNS.items())
    if files:
        source = (
            f"read_json(?, format = 'newline_delimited', columns = {{{columns}}}, "
            "filename = '_file')"
        )
        # scored_at is ISO 8601 UTC ("...Z"): stored as a UTC timestamp without time zone,
        # like every timestamp of the raw layer's staging models.
        connection.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT "
            "timezone('UTC', cast(scored_at AS TIMESTAMPTZ)) AS scored_at, lead_id, email, "
            "model_version, model_test_auc, score, grade, cast(features AS VARCHAR) AS features, "
            f"_file FROM {source}",
            [[str(path) for path in files]],
        )
    else:
        connection.execute(
            f"CREATE OR REPLACE TABLE {table} (scored_at TIMESTAMP, lead_id VARCHAR, "
            "email VARCHAR, model_version VARCHAR, model_test_auc DOUBLE, score DOUBLE, "
            "grade VARCHAR, features VARCHAR, _file VARCHAR)"
        )
    row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    rows = int(row[0]) if row else 0
    log.info("loaded %s score records from %d files of %s", rows, len(files), display(folder))
    return rows


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _problems(path: Path) -> Iterator[tuple[int, str]]:
    """(line, problem) for every bad record of one file."""
    try:
        with _open_text(path) as lines:
            for number, line in enumerate(lines, start=1):
                problem = record_problem(line)
                if problem:
                    yield number, problem
    except (OSError, UnicodeDecodeError, EOFError) as error:
        yield 0, f"cannot read the file: {error}"


def record_problem(line: str) -> str | None:
    """What is wrong with one score log line (None: a valid record)."""
    if not line.strip():
        return "empty line (every line must be one JSON record)"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not JSON ({error.msg} at column {error.colno}): a torn or edited line?"
    if not isinstance(record, dict):
        return "not a JSON object"
    scored_at = record.get("scored_at")
    if not isinstance(scored_at, str):
        return "scored_at: missing or not a string (ISO 8601 UTC, e.g. 2026-12-04T10:11:12.345Z)"
    try:
        parsed = dt.datetime.fromisoformat(scored_at)
    except ValueError:
        return f"scored_at: {scored_at!r} is not an ISO 8601 timestamp"
    if parsed.tzinfo is None:
        return f"scored_at: {scored_at!r} has no time zone (write UTC with Z)"
    lead_id, email = record.get("lead_id"), record.get("email")
    if lead_id is not None and (not isinstance(lead_id, str) or not lead_id):
        return "lead_id: not a non-empty string"
    if email is not None and (not isinstance(email, str) or "@" not in email):
        return "email: not an email address"
    if lead_id is None and email is None:
        return "lead_id and email: neither is present (a score without a lead is not recorded)"
    version = record.get("model_version")
    if not isinstance(version, str) or not version:
        return "model_version: missing or empty"
    score = record.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        return f"score: {score!r} is not a number between 0 and 1"
    auc = record.get("model_test_auc")
    if auc is not None and (
        isinstance(auc, bool)
        or not isinstance(auc, int | float)
        or not math.isfinite(auc)
        or not 0 <= auc <= 1
    ):
        return f"model_test_auc: {auc!r} is not null or a number between 0 and 1"
    grade = record.get("grade")
    if grade is not None and grade not in GRADES:
        return f"grade: {grade!r} is not null or one of {', '.join(GRADES)}"
    features = record.get("features")
    if features is not None and not isinstance(features, dict):
        return "features: not a JSON object"
    return None
