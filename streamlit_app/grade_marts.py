"""Reads the grade and mover marts of the rescore history (models/dashboards/mart_grade_counts,
mart_grade_conversion, mart_top_movers, mart_lead_score_history) from the DuckDB warehouse,
read-only, one short connection per read (warehouse_marts.read_only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from warehouse_marts import read_only


@dataclass(frozen=True)
class GradeMarts:
    counts: pd.DataFrame  # mart_grade_counts: the grades of the latest rescore day
    conversion: pd.DataFrame  # mart_grade_conversion
    movers: pd.DataFrame  # mart_top_movers, by period and rank
    leads: list[str]  # the latest day's leads: the day's movers, the week's, then by score


def read_grade_marts(warehouse: Path) -> GradeMarts:
    with read_only(warehouse) as connection:
        counts = connection.execute("select * from main.mart_grade_counts order by grade").fetchdf()
        conversion = connection.execute(
            "select * from main.mart_grade_conversion order by grade"
        ).fetchdf()
        movers = connection.execute(
            "select * from main.mart_top_movers order by period, mover_rank"
        ).fetchdf()
        leads = connection.execute("""
            select h.lead_id
            from main.mart_lead_score_history h
            left join (
                select lead_id,
                       min(case when period = 'day' then mover_rank end) as day_rank,
                       min(case when period = 'week' then mover_rank end) as week_rank
                from main.mart_top_movers group by lead_id) m using (lead_id)
            where h.scored_on = (select max(scored_on) from main.mart_lead_score_history)
            order by m.day_rank nulls last, m.week_rank nulls last, h.score desc, h.lead_id
            """).fetchall()
    return GradeMarts(counts, conversion, movers, [row[0] for row in leads])


def read_lead_history(warehouse: Path, lead_id: str) -> pd.DataFrame:
    """The lead's rows of mart_lead_score_history, oldest first (empty for an unknown lead)."""
    with read_only(warehouse) as connection:
        return connection.execute(
            "select scored_on, score, grade, trend, score_change "
            "from main.mart_lead_score_history where lead_id = ? order by scored_on",
            [lead_id],
        ).fetchdf()
