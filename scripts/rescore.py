"""scripts/rescore: score every open lead with the champion, daily, into a score history.

Exports the open leads of main.fct_open_leads (the leads not closed and inside the label
horizon, with their features as of now) to a temporary CSV, scores them with
`leadscore score --reasons` (the same engine and model file the server uses), and writes the
day's rows into main.lead_score_history in one transaction:

  lead_id, scored_at (UTC), model_version, score, grade (A-D; NULL for a model without grade
  cut points), trend, reasons (JSON: the 3 largest factors), alert (grade A or score above the
  alert threshold, model/alert_rule.h)

One row per lead and day: the day's earlier rows are replaced, so a rerun the same day
duplicates nothing. A lead that left fct_open_leads (won, lost or past the horizon) gets no
more rows. `trend` compares the lead's score with its latest row of an earlier day:

  new         no earlier row
  improving   the grade rose, or (same grade) the score rose by more than the dead band
  declining   the grade fell, or (same grade) the score fell by more than the dead band
  steady      otherwise (default dead band: 0.02, absolute)

A failure anywhere leaves the history as it was.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from warehouse.scoring_cli import add_scoring_arguments

OPEN_LEADS = "main.fct_open_leads"
HISTORY = "main.lead_score_history"
DEFAULT_DEAD_BAND = 0.02

log = logging.getLogger("rescore")


class RescoreError(Exception):
    """A problem the user can fix: the message says what is wrong and what to do."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/rescore",
        description="Score every open lead (main.fct_open_leads) with the champion model and "
        "write the day's score, grade and trend per lead into main.lead_score_history "
        "(idempotent per lead and day).",
    )
    add_scoring_arguments(parser, "The champion's model file")
    parser.add_argument(
        "--scored-at",
        type=parse_scored_at,
        default=None,
        help="When the scores count as taken, UTC: YYYY-MM-DD (midnight) or "
        "YYYY-MM-DDTHH:MM:SS; its date is the day the rows replace (default: now)",
    )
    parser.add_argument(
        "--dead-band",
        type=float,
        default=DEFAULT_DEAD_BAND,
        help="Score change (absolute) within which a lead of unchanged grade is 'steady' "
        f"(default {DEFAULT_DEAD_BAND})",
    )
    return parser.parse_args(argv)


def parse_scored_at(text: str) -> datetime:
    for pattern in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC)")


def engine_columns(binary: str) -> list[str]:
    """The columns `leadscore score` reads: the id and every feature of the engine's spec."""
    result = run_engine([binary, "spec"])
    spec = json.loads(result)
    return [spec["id"], *(feature["name"] for feature in spec["features"])]


def run_engine(command: list[str]) -> str:
    if not Path(command[0]).is_file():
        raise RescoreError(
            f"leadscore binary {command[0]} not found; build it with "
            "scripts/build (or set LEADSCORE_BIN / --binary)"
        )
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RescoreError(f"`leadscore {command[1]}` failed: {result.stderr.strip()}")
    return result.stdout


def export_open_leads(con: duckdb.DuckDBPyConnection, columns: list[str], out: Path) -> int:
    try:
        present = {row[0] for row in con.execute(f"DESCRIBE {OPEN_LEADS}").fetchall()}
    except duckdb.CatalogException as error:
        raise RescoreError(
            f"the warehouse has no {OPEN_LEADS}; build it with scripts/load_duckdb (dbt)"
        ) from error
    missing = [c for c in columns if c not in present]
    if missing:
        raise RescoreError(
            f"{OPEN_LEADS} lacks the column(s) {', '.join(missing)} that the "
            "engine's feature spec needs; rebuild the warehouse with this "
            "version's dbt project (scripts/load_duckdb)"
        )
    selected = ", ".join(f'"{c}"' for c in columns)
    con.execute(f"COPY (SELECT {selected} FROM {OPEN_LEADS}) TO '{out}' (HEADER, DELIMITER ',')")
    (rows,) = con.execute(f"SELECT count(*) FROM {OPEN_LEADS}").fetchone()
    return int(rows)


CREATE_HISTORY = f"""
CREATE TABLE IF NOT EXISTS {HISTORY} (
    lead_id VARCHAR NOT NULL,
    scored_at TIMESTAMP NOT NULL,  -- UTC
    model_version VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    grade VARCHAR,                 -- A-D; NULL for a model without grade cut points
    trend VARCHAR NOT NULL,        -- new, improving, steady, declining
    reasons JSON,
    alert BOOLEAN NOT NULL
)"""

# Each lead's latest row of an earlier day, joined to today's scores. Grades compare as
# letters: 'A' < 'B' means better.
INSERT_DAY = f"""
INSERT INTO {HISTORY}
WITH previous AS (
    SELECT lead_id, score, grade FROM {HISTORY}
    WHERE scored_at < $day_start
    QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY scored_at DESC) = 1
), today AS (
    SELECT * FROM read_csv($scores, header = true, quote = '"', escape = '"', columns = {{
        'lead_id': 'VARCHAR', 'score': 'DOUBLE', 'label': 'VARCHAR',
        'raw_probability': 'DOUBLE', 'model_version': 'VARCHAR', 'grade': 'VARCHAR',
        'alert': 'BOOLEAN', 'reasons': 'VARCHAR'}})
)
SELECT t.lead_id, $scored_at, t.model_version, t.score, nullif(t.grade, ''),
    CASE
        WHEN p.lead_id IS NULL THEN 'new'
        WHEN nullif(t.grade, '') IS NOT NULL AND p.grade IS NOT NULL AND t.grade < p.grade
            THEN 'improving'
        WHEN nullif(t.grade, '') IS NOT NULL AND p.grade IS NOT NULL AND t.grade > p.grade
            THEN 'declining'
        WHEN t.score - p.score > $dead_band THEN 'improving'
        WHEN p.score - t.score > $dead_band THEN 'declining'
        ELSE 'steady'
    END,
    t.reasons::JSON, t.alert
FROM today t LEFT JOIN previous p USING (lead_id)
"""


def write_day(
    con: duckdb.DuckDBPyConnection, scores: Path | None, scored_at: datetime, dead_band: float
) -> None:
    """Replaces the day's rows by the new scores (none when `scores` is None), atomically."""
    day_start = scored_at.replace(hour=0, minute=0, second=0, microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(CREATE_HISTORY)
        con.execute(
            f"DELETE FROM {HISTORY} WHERE scored_at::DATE = $day", {"day": day_start.date()}
        )
        if scores is not None:
            con.execute(
                INSERT_DAY,
                {
                    "day_start": day_start,
                    "scores": str(scores),
                    "scored_at": scored_at,
                    "dead_band": dead_band,
                },
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def summary(con: duckdb.DuckDBPyConnection, scored_at: datetime) -> str:
    rows = con.execute(
        f"SELECT coalesce(grade, '-'), trend, count(*) FROM {HISTORY} "
        "WHERE scored_at::DATE = $day GROUP BY ALL ORDER BY ALL",
        {"day": scored_at.date()},
    ).fetchall()
    grades: dict[str, int] = {}
    trends: dict[str, int] = {}
    for grade, trend, count in rows:
        grades[grade] = grades.get(grade, 0) + count
        trends[trend] = trends.get(trend, 0) + count
    return (
        f"grades {' '.join(f'{g}={n}' for g, n in sorted(grades.items()))}; "
        f"trends {' '.join(f'{t}={n}' for t, n in sorted(trends.items()))}"
    )


def rescore(args: argparse.Namespace) -> None:
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        raise RescoreError(
            f"warehouse {warehouse} not found; build it with scripts/load_duckdb "
            "(or scripts/run), or pass --warehouse"
        )
    if not Path(args.model).is_file():
        raise RescoreError(
            f"model file {args.model} not found; train one with "
            "`leadscore train` (scripts/run) or pass --model"
        )
    if not args.dead_band >= 0:
        raise RescoreError(f"--dead-band {args.dead_band} must be 0 or more")
    scored_at: datetime = args.scored_at or datetime.now(UTC).replace(tzinfo=None)
    columns = engine_columns(args.binary)
    with tempfile.TemporaryDirectory(prefix="leadscore-rescore-") as tmp:
        leads_csv = Path(tmp) / "open_leads.csv"
        scores_csv = Path(tmp) / "scores.csv"
        with duckdb.connect(str(warehouse)) as con:
            started = time.monotonic()
            leads = export_open_leads(con, columns, leads_csv)
            log.info("exported %d open leads in %.1f s", leads, time.monotonic() - started)
            if leads > 0:
                started = time.monotonic()
                log.info(
                    "%s",
                    run_engine(
                        [
                            args.binary,
                            "score",
                            "--model",
                            args.model,
                            "--in",
                            str(leads_csv),
                            "--out",
                            str(scores_csv),
                            "--reasons",
                        ]
                    ).strip(),
                )
                log.info("scored in %.1f s", time.monotonic() - started)
            started = time.monotonic()
            write_day(con, scores_csv if leads > 0 else None, scored_at, args.dead_band)
            log.info("wrote the day's history rows in %.1f s", time.monotonic() - started)
            print(
                f"rescored {leads} open leads as of {scored_at:%Y-%m-%d %H:%M:%S} UTC into "
                f"{HISTORY} of {warehouse}: {summary(con, scored_at)}"
            )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="rescore: %(message)s", stream=sys.stderr)
    try:
        rescore(parse_args(argv))
    except RescoreError as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"{HISTORY} is unchanged.", file=sys.stderr)
        return 1
    except (OSError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        print(
            f"To fix: check that no other program holds the warehouse and that it is "
            f"writable, then run again; {HISTORY} is unchanged.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
