"""leadscore's Streamlit app: the lead score as a KPI over the DuckDB dashboard marts, the
grades and top movers of the daily rescore with any lead's score history, and a
"score a lead" form that calls the scoring API (POST /score?explain=true) and shows the
reasons. Start it with scripts/run_streamlit (docs/dashboards.md).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from app_settings import AppSettings, load_settings
from grades_page import grades_page
from scoring_api import ApiError, ScoringApi
from warehouse_marts import Marts, MartsUnavailable, read_marts

log = logging.getLogger("leadscore.streamlit")


@st.cache_data(ttl=30, show_spinner=False)
def cached_marts(warehouse: str) -> Marts:
    return read_marts(Path(warehouse))


def feature_spec(settings: AppSettings) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads(settings.spec.read_text())["features"]
    return features


def kpi_page(settings: AppSettings, api: ScoringApi) -> None:
    try:
        marts = cached_marts(str(settings.warehouse))
    except MartsUnavailable as error:
        st.warning(str(error))
        return
    try:
        model: dict[str, Any] | None = api.model()
    except ApiError as error:
        st.info(f"Model details unavailable: {error}")
        model = None
    totals = marts.totals
    columns = st.columns(5)
    columns[0].metric("Leads scored", f"{int(totals['scored_leads']):,}")
    columns[1].metric("Share high", f"{100 * float(totals['high_share']):.2f}%")
    columns[2].metric("Mean score", f"{float(totals['mean_score']):.3f}")
    columns[3].metric("Conversion", f"{100 * float(totals['conversion_rate']):.1f}%")
    columns[4].metric(
        "Model version", str(model["model_version"] if model else totals["model_version"])
    )
    if model:
        st.caption(
            f"Test AUC {model['metrics']['auc']:.3f} · trained {model['trained_at']} · "
            f"scores in the warehouse by version {totals['model_version']}"
        )

    st.subheader("Channel attribution (first touch)")
    channels = marts.channels.set_index("channel")
    st.bar_chart(channels[["leads", "won"]], stack=False)
    table = channels[["leads", "won", "conversion_rate", "won_share", "mean_score", "high_share"]]
    st.dataframe(
        table.style.format(
            {
                "conversion_rate": "{:.1%}",
                "won_share": "{:.1%}",
                "mean_score": "{:.3f}",
                "high_share": "{:.2%}",
            }
        )
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Funnel")
        st.bar_chart(marts.funnel.set_index("stage")[["count"]], horizontal=True)
    with right:
        st.subheader("Score distribution")
        scores = marts.scores.assign(bin=marts.scores["lower_bound"].map("{:.2f}".format))
        st.bar_chart(scores.set_index("bin")[["leads"]])


def lead_input(feature: dict[str, Any]) -> Any:
    name, kind = feature["name"], feature["type"]
    if kind == "count":
        return st.number_input(
            name, min_value=0, max_value=1_000_000, step=1, value=0, help=feature["description"]
        )
    if kind == "flag":
        return st.checkbox(name, help=feature["description"])
    return st.selectbox(name, feature["values"], help=feature["description"])


def score_page(settings: AppSettings, api: ScoringApi) -> None:
    with st.form("score-lead"):
        lead = {feature["name"]: lead_input(feature) for feature in feature_spec(settings)}
        submitted = st.form_submit_button("Score")
    if not submitted:
        return
    lead = {name: int(value) if isinstance(value, float) else value for name, value in lead.items()}
    try:
        result = api.score(lead)
    except ApiError as error:
        log.warning("scoring failed: %s", error)
        st.error(str(error))
        return
    columns = st.columns(3)
    columns[0].metric("Score", f"{result['score']:.3f}")
    columns[1].metric("Label", result["label"])
    columns[2].metric("Model version", result["model_version"])
    st.subheader("Reasons")
    st.caption("Each feature's contribution to the score in log-odds, largest effect first.")
    reasons = pd.DataFrame(result["reasons"]).set_index("feature")
    # Values are counts, flags and the channel: one text column, as the API sent them.
    reasons["value"] = reasons["value"].map(json.dumps)
    st.table(reasons)


def main() -> None:
    st.set_page_config(page_title="leadscore", layout="wide")
    settings = load_settings()
    api = ScoringApi(settings.api_url, settings.api_key)
    st.title("leadscore")
    kpis, grades, form = st.tabs(["Lead score KPIs", "Grades and movers", "Score a lead"])
    with kpis:
        kpi_page(settings, api)
    with grades:
        grades_page(settings.warehouse)
    with form:
        score_page(settings, api)


main()
