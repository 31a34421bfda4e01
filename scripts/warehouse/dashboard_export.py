"""Exports the dashboard marts to one JSON file, the format `leadscore serve` reads for
GET /dashboard/data ("leadscore-dashboard/1", fields in docs/dashboards.md).

The file is written to a temporary name beside the target and renamed over it, so the
server (which re-reads it when it changes) never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

FORMAT = "leadscore-dashboard/1"
Json = dict[str, Any]

# The export carries the score history of the leads the page lists (the top movers) and of
# the day's highest scored ones, not of every open lead: one row per lead and day of 14,000
# open leads would be megabytes a day. The Streamlit app reads any lead's from the warehouse.
HISTORY_TOP_SCORED = 20

_TOTALS_SQL = """
select
    count(*) as leads,
    count(score) as scored_leads,
    cast(coalesce(sum(is_high), 0) as bigint) as high_leads,
    coalesce(sum(is_high) / nullif(count(score), 0), 0) as high_share,
    avg(score) as mean_score,
    cast(sum(is_won) as bigint) as won,
    avg(is_won) as conversion_rate,
    string_agg(distinct model_version, ', ' order by model_version) as model_version,
    max(scored_at) as scored_at
from main.scored_leads
"""

_SECTIONS = {
    "channel_attribution": """
        select channel, leads, won, conversion_rate, scored_leads, mean_score, high_leads,
               high_share, lead_share, won_share
        from main.mart_channel_attribution order by leads desc, channel""",
    "funnel": """
        select stage, count, share_of_visitors, step_rate
        from main.mart_funnel order by stage_order""",
    "score_distribution": """
        select lower_bound, upper_bound, leads, won
        from main.mart_score_distribution order by bin""",
    # Realized accuracy (models/monitoring/): "Is the model still right?" and the n8n model
    # watch's realized-AUC check (automation/n8n_model_watch_workflow.json).
    "realized_accuracy": """
        select scored_week, model_version, resolved, won, realized_auc, brier,
               grade_a_leads, precision_grade_a, promised_auc
        from main.mart_realized_accuracy order by scored_week, model_version""",
    "realized_accuracy_by_model": """
        select model_version, resolved, won, realized_auc, brier, grade_a_leads,
               precision_grade_a, promised_auc, auc_shortfall, auc_margin, min_resolved,
               is_below_promise
        from main.mart_realized_accuracy_by_model order by model_version""",
    "calibration": """
        select model_version, score_bin, bin_lower, bin_upper, resolved, predicted, observed
        from main.mart_calibration order by model_version, score_bin""",
    # Grades and movers (models/dashboards/, from scripts/rescore's history).
    "grade_counts": """
        select scored_on, grade, leads, share_of_leads, mean_score, min_score, max_score, alerts
        from main.mart_grade_counts order by grade""",
    "grade_conversion": """
        select grade, leads, resolved_leads, won, conversion_rate, open_leads
        from main.mart_grade_conversion order by grade""",
    "top_movers": """
        select period, mover_rank, lead_id, scored_from, scored_to, score_from, score_to,
               score_change, grade_from, grade_to, trend, reasons
        from main.mart_top_movers order by period, mover_rank""",
    "score_history": f"""
        select lead_id, scored_on, score, grade, trend, score_change
        from main.mart_lead_score_history
        where lead_id in (
            select lead_id from main.mart_top_movers
            union
            select lead_id from (
                select lead_id from main.mart_lead_score_history
                where scored_on = (select max(scored_on) from main.mart_lead_score_history)
                order by score desc, lead_id limit {HISTORY_TOP_SCORED})
        )
        order by lead_id, scored_on""",
}


# Columns holding JSON text (scripts/rescore's reasons), exported as the JSON they hold.
_JSON_COLUMNS = {"reasons"}


def _plain(value: object) -> object:
    """A DuckDB value as JSON: Decimals as floats, timestamps in ISO 8601."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[Json]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description or []]
    return [
        {
            name: json.loads(value) if name in _JSON_COLUMNS and value else _plain(value)
            for name, value in zip(names, row, strict=True)
        }
        for row in cursor.fetchall()
    ]


def read_dashboard(warehouse: Path, now: dt.datetime, shown_as: str) -> Json:
    """The dashboard figures of `warehouse` (opened read-only), naming it `shown_as` (the
    path as the user gave it: the file is served to browsers); duckdb.Error if a mart is
    missing."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        data: Json = {
            "format": FORMAT,
            "generated_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "warehouse": shown_as,
            "totals": _rows(connection, _TOTALS_SQL)[0],
        }
        for section, sql in _SECTIONS.items():
            data[section] = _rows(connection, sql)
    return data


def write_atomically(data: Json, target: Path) -> None:
    """Writes `data` as JSON to a temporary file beside `target`, then renames it over."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, allow_nan=False)
            out.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
