"""The Streamlit app's "Grades and movers" tab: the open leads per grade on the latest rescore
day with each grade's conversion on the history, the top movers of the last day and week with
their reasons, and any lead's score history (docs/dashboards.md, "Grades and movers")."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from grade_marts import GradeMarts, read_grade_marts, read_lead_history
from warehouse_marts import MartsUnavailable

GRADE_ORDER = ["A", "B", "C", "D", "ungraded"]
# The /dashboard page's grade colours (web/dashboard/dashboard.js).
GRADE_COLORS = {"A": "#1f9d6b", "B": "#2f6fdf", "C": "#e07b24", "D": "#9aa3b5"}


@st.cache_data(ttl=30, show_spinner=False)
def cached_grade_marts(warehouse: str) -> GradeMarts:
    return read_grade_marts(Path(warehouse))


def _rate(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _reasons(text: object) -> str:
    if not isinstance(text, str) or not text:
        return "–"
    return ", ".join(f"{r['feature']} = {r['value']} ({r['direction']})" for r in json.loads(text))


def grade_table(marts: GradeMarts) -> pd.DataFrame:
    """One row per grade: today's open leads, and the conversion of the history."""
    today = marts.counts.set_index("grade")
    history = marts.conversion.set_index("grade")
    rows = []
    for grade in [g for g in GRADE_ORDER if g in today.index or g in history.index]:
        t = today.loc[grade] if grade in today.index else None
        h = history.loc[grade] if grade in history.index else None
        rows.append(
            {
                "Grade": grade,
                "Leads today": f"{int(t['leads']):,}" if t is not None else "0",
                "Share": f"{100 * float(t['share_of_leads']):.1f}%" if t is not None else "–",
                "Mean score": f"{float(t['mean_score']):.3f}" if t is not None else "–",
                "Ever in grade": f"{int(h['leads']):,}" if h is not None else "0",
                "Resolved": f"{int(h['resolved_leads']):,}" if h is not None else "0",
                "Won": f"{int(h['won']):,}" if h is not None else "0",
                "Conversion": _rate(h["conversion_rate"]) if h is not None else "–",
            }
        )
    return pd.DataFrame(rows).set_index("Grade")


def mover_table(movers: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Lead": movers["lead_id"],
            "Score": [
                f"{a:.3f} → {b:.3f}"
                for a, b in zip(movers["score_from"], movers["score_to"], strict=True)
            ],
            "Change": [f"{c:+.3f}" for c in movers["score_change"]],
            "Grade": [
                f"{a or '–'} → {b or '–'}"
                for a, b in zip(movers["grade_from"], movers["grade_to"], strict=True)
            ],
            "Reasons (today)": [_reasons(r) for r in movers["reasons"]],
        }
    ).set_index("Lead")


def history_chart(history: pd.DataFrame) -> alt.LayerChart:
    """The lead's score per day as a line, each day's point coloured by its grade."""
    frame = history.assign(day=pd.to_datetime(history["scored_on"]))
    base = alt.Chart(frame).encode(
        x=alt.X("day:T", title="day"),
        y=alt.Y("score:Q", title="score", scale=alt.Scale(domain=[0, 1])),
    )
    points = base.mark_point(filled=True, size=90).encode(
        color=alt.Color(
            "grade:N",
            scale=alt.Scale(domain=list(GRADE_COLORS), range=list(GRADE_COLORS.values())),
        ),
        tooltip=["scored_on:N", "score:Q", "grade:N", "trend:N"],
    )
    return base.mark_line(color="#2f6fdf") + points


def grades_page(warehouse: Path) -> None:
    try:
        marts = cached_grade_marts(str(warehouse))
    except MartsUnavailable as error:
        st.warning(str(error))
        return
    if marts.counts.empty:
        st.info("No rescore yet: run scripts/rescore, then scripts/build_dashboard.")
        return
    st.subheader(f"Open leads per grade on {marts.counts['scored_on'].iloc[0]}")
    st.caption(
        "Conversion: of the leads the rescore put in the grade, the share that closed "
        "won within the horizon, over those whose outcome is known (Resolved)."
    )
    table = grade_table(marts)
    st.bar_chart(marts.counts.set_index("grade")[["leads"]])
    st.table(table)

    for period, title in (
        ("day", "Top movers of the last day"),
        ("week", "Top movers of the last week"),
    ):
        st.subheader(title)
        movers = marts.movers[marts.movers["period"] == period]
        if movers.empty:
            st.caption("None yet: needs an earlier rescore in the period.")
        else:
            st.table(mover_table(movers))

    st.subheader("A lead's score history")
    lead = st.selectbox("Lead", marts.leads, index=0, key="history-lead")
    history = read_lead_history(warehouse, lead)
    st.caption(f"History of lead {lead}: {len(history)} daily scores")
    st.altair_chart(history_chart(history), use_container_width=True)
    st.table(
        pd.DataFrame(
            {
                "Day": history["scored_on"].astype(str),
                "Score": history["score"].map("{:.3f}".format),
                "Grade": history["grade"].fillna("–"),
                "Trend": history["trend"],
                "Change": [("–" if pd.isna(c) else f"{c:+.3f}") for c in history["score_change"]],
            }
        ).set_index("Day")
    )
