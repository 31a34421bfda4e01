"""The slack step: one message per lead that newly reached grade A on the day, then the day's
digest of the top movers. State, in the warehouse:

  main.slack_grade_a_alerts (lead_id, day, posted_at, ts)  one row per alert sent
  main.slack_digests (day, posted_at, ts)                   one row per digest sent

A lead *newly reaches grade A* on a day when its row of that day has grade A, its previous
row (an earlier day) had another grade, and no alert for it was sent within the alert window
(default 30 days) before that day. A lead first seen in grade A is not "newly" A: the lead
workflow alerted it when it arrived. Each message is recorded as soon as Slack answers
`ok: true`, so a rerun (or replay) sends only what was not sent; the digest goes out once per
day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import duckdb

from daily_writeback.errors import WritebackError
from daily_writeback.settings import Settings
from daily_writeback.slack_client import SlackClient

HISTORY = "main.lead_score_history"
ALERTS = "main.slack_grade_a_alerts"
DIGESTS = "main.slack_digests"

log = logging.getLogger("writeback")

CREATE_STATE = (
    f"""CREATE TABLE IF NOT EXISTS {ALERTS} (
    lead_id VARCHAR NOT NULL,
    day DATE NOT NULL,             -- the rescore day it reached grade A
    posted_at TIMESTAMP NOT NULL,  -- UTC
    ts VARCHAR                     -- Slack's message id
)""",
    f"""CREATE TABLE IF NOT EXISTS {DIGESTS} (
    day DATE PRIMARY KEY,
    posted_at TIMESTAMP NOT NULL,
    ts VARCHAR
)""",
)

# Each lead's row of the day with its previous row (the latest of an earlier day).
DAY_WITH_PREVIOUS = f"""
WITH today AS (
    SELECT * FROM {HISTORY} WHERE scored_at::DATE = $day
    QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY scored_at DESC) = 1
), previous AS (
    SELECT lead_id, score, grade FROM {HISTORY} WHERE scored_at::DATE < $day
    QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY scored_at DESC) = 1
)
SELECT t.lead_id, t.score, t.grade, t.trend, t.reasons, t.model_version,
    p.score AS previous_score, p.grade AS previous_grade, p.lead_id IS NOT NULL AS seen_before
FROM today t LEFT JOIN previous p USING (lead_id)
"""

NEWLY_A = f"""
SELECT * FROM ({DAY_WITH_PREVIOUS}) d
WHERE d.grade = 'A' AND d.seen_before AND d.previous_grade IS DISTINCT FROM 'A'
    AND NOT EXISTS (
        SELECT 1 FROM {ALERTS} a WHERE a.lead_id = d.lead_id
        AND a.day > $day - to_days($window) AND a.day <= $day)
ORDER BY d.score DESC, d.lead_id
"""

TOP_MOVERS = f"""
SELECT * FROM ({DAY_WITH_PREVIOUS}) d
WHERE d.seen_before AND d.score > d.previous_score
ORDER BY d.score - d.previous_score DESC, d.lead_id
LIMIT $limit
"""


@dataclass(frozen=True)
class Lead:
    lead_id: str
    score: float
    grade: str | None
    trend: str
    reasons: str
    model_version: str
    previous_score: float | None
    previous_grade: str | None


def rows_as_leads(rows: list[tuple[object, ...]]) -> list[Lead]:
    return [
        Lead(
            lead_id=str(r[0]),
            score=float(r[1]),  # type: ignore[arg-type]
            grade=r[2] if r[2] is None else str(r[2]),
            trend=str(r[3]),
            reasons=describe_reasons(r[4]),
            model_version=str(r[5]),
            previous_score=None if r[6] is None else float(r[6]),  # type: ignore[arg-type]
            previous_grade=None if r[7] is None else str(r[7]),
        )
        for r in rows
    ]


def describe_reasons(reasons: object) -> str:
    """'page_views = 140 (raises), ...' like the lead workflow's alert."""
    try:
        factors = json.loads(str(reasons)) if reasons is not None else []
    except json.JSONDecodeError:
        return str(reasons)
    return ", ".join(
        f"{f.get('feature')} = {f.get('value')} ({f.get('direction')})"
        for f in factors[:3]
        if isinstance(f, dict)
    )


def grade_a_text(lead: Lead) -> str:
    return (
        "🚀 Lead reached grade A\n"
        f"Contact: {lead.lead_id}\n"
        f"Score: {lead.score:.3f} (grade A, was {lead.previous_grade or '-'} at "
        f"{lead.previous_score or 0:.3f}; {lead.trend})\n"
        f"Why: {lead.reasons}\n"
        f"Model: {lead.model_version}"
    )


def digest_text(day: dt.date, movers: list[Lead], grades: list[tuple[str, int]]) -> str:
    lines = [f"📈 Top movers of {day.isoformat()} (largest score rises since the last rescore)"]
    if not movers:
        lines.append("No lead's score rose since the last rescore.")
    for rank, lead in enumerate(movers, start=1):
        rise = lead.score - (lead.previous_score or 0.0)
        lines.append(
            f"{rank}. Contact {lead.lead_id}: {lead.previous_score or 0:.3f} → {lead.score:.3f} "
            f"(+{rise:.3f}), grade {lead.grade or '-'} (was {lead.previous_grade or '-'}), "
            f"{lead.trend}. Why: {lead.reasons}"
        )
    lines.append("Open leads by grade: " + ", ".join(f"{g} {n}" for g, n in grades))
    return "\n".join(lines)


def report_day(con: duckdb.DuckDBPyConnection, settings: Settings) -> dt.date:
    try:
        (latest,) = con.execute(f"SELECT max(scored_at::DATE) FROM {HISTORY}").fetchone()
    except duckdb.CatalogException as error:
        raise WritebackError(
            f"{settings.warehouse} has no {HISTORY}; run scripts/rescore first"
        ) from error
    if latest is None:
        raise WritebackError(f"{HISTORY} of {settings.warehouse} is empty; run scripts/rescore")
    day = settings.day or latest
    (rows,) = con.execute(
        f"SELECT count(*) FROM {HISTORY} WHERE scored_at::DATE = $day", {"day": day}
    ).fetchone()
    if rows == 0:
        raise WritebackError(
            f"{HISTORY} has no rows of {day}; pass a --day that scripts/rescore scored"
        )
    return day


def record(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    con.execute(sql, params)  # autocommit: durable before the next message is posted


def notify(settings: Settings) -> str:
    if not settings.warehouse.is_file():
        raise WritebackError(
            f"warehouse {settings.warehouse} not found; run scripts/rescore, or pass --warehouse"
        )
    client = SlackClient(
        settings.slack_url,
        settings.slack_token,
        attempts=settings.attempts,
        backoff=settings.retry_backoff_ms / 1000,
    )
    with duckdb.connect(str(settings.warehouse)) as con:
        for statement in CREATE_STATE:
            con.execute(statement)
        day = report_day(con, settings)
        newly_a = rows_as_leads(
            con.execute(NEWLY_A, {"day": day, "window": settings.alert_window_days}).fetchall()
        )
        for lead in newly_a:
            ts = client.post_message(settings.slack_channel, grade_a_text(lead))
            record(
                con,
                f"INSERT INTO {ALERTS} VALUES ($lead, $day, timezone('UTC', now()), $ts)",
                {"lead": lead.lead_id, "day": day, "ts": ts},
            )
        digest = "digest of that day already sent"
        (sent,) = con.execute(
            f"SELECT count(*) FROM {DIGESTS} WHERE day = $day", {"day": day}
        ).fetchone()
        if sent == 0:
            movers = rows_as_leads(
                con.execute(TOP_MOVERS, {"day": day, "limit": settings.digest_size}).fetchall()
            )
            grades = con.execute(
                f"SELECT coalesce(grade, '-'), count(*) FROM {HISTORY} "
                "WHERE scored_at::DATE = $day GROUP BY ALL ORDER BY ALL",
                {"day": day},
            ).fetchall()
            ts = client.post_message(settings.slack_channel, digest_text(day, movers, grades))
            record(
                con,
                f"INSERT INTO {DIGESTS} VALUES ($day, timezone('UTC', now()), $ts)",
                {"day": day, "ts": ts},
            )
            digest = f"digest of {len(movers)} top movers sent"
    return (
        f"slack, day {day}: {len(newly_a)} lead(s) newly in grade A alerted; {digest}; "
        f"{client.requests_sent} Slack request(s)"
    )
