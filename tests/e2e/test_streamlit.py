"""The Streamlit app (streamlit_app/, started by scripts/run_streamlit) against a real
`leadscore serve` and the scored warehouse with a week of rescores (fixtures/score_history.py),
in Chromium (npm playwright-core): its KPIs equal the marts' and the API's numbers, its charts
render, "Grades and movers" shows the grade, mover and history marts' rows (for a lead picked
in it too), its form scores a lead through POST /score?explain=true and shows the reasons, and
the console stays clean.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from fixtures.browser import run_browser_check
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO, free_port

LEAD = {
    "sessions": 14,
    "engaged_sessions": 9,
    "page_views": 60,
    "channel": "Paid Search",
    "is_first_visit": True,
}


@pytest.fixture(scope="module")
def dashboard(score_history: dict[str, Any]) -> dict[str, Path]:
    """The scored warehouse with its dashboard marts and a week of rescores."""
    return {"warehouse": score_history["warehouse"], "model": score_history["model"]}


@pytest.fixture(scope="module")
def server(
    dashboard: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadscoreServer]:
    with leadscore_server(
        tmp_path_factory.mktemp("streamlit-serve-log"), "--model", str(dashboard["model"])
    ) as running:
        yield running


@pytest.fixture(scope="module")
def streamlit(
    server: LeadscoreServer, dashboard: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    port = free_port()
    log_file = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    env = {
        **os.environ,
        "LEADSCORE_STREAMLIT_PORT": str(port),
        "LEADSCORE_API_URL": server.url,
        "LEADSCORE_WAREHOUSE": str(dashboard["warehouse"]),
    }
    with log_file.open("w") as log:
        process = subprocess.Popen(
            [str(REPO / "scripts/run_streamlit")],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"streamlit exited:\n{log_file.read_text()}"
            assert time.monotonic() < deadline, f"streamlit not up:\n{log_file.read_text()}"
            try:
                if requests.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert "Traceback" not in log_file.read_text(), log_file.read_text()


def test_kpis_charts_and_the_score_form_in_chromium(
    streamlit: str, server: LeadscoreServer, dashboard: dict[str, Path], tmp_path: Path
) -> None:
    picked = query(
        dashboard["warehouse"],
        """
        select lead_id from main.mart_top_movers where period = 'week' order by mover_rank desc
        limit 1""",
    )[0][0]
    shown = run_browser_check(
        "streamlit_check.mjs",
        {"url": streamlit, "screenshots": str(tmp_path), "lead": LEAD, "history_lead": picked},
    )
    model = requests.get(f"{server.url}/model", timeout=5).json()
    expected_score = requests.post(
        f"{server.url}/score", params={"explain": "true"}, json=LEAD, timeout=5
    ).json()
    with duckdb.connect(str(dashboard["warehouse"]), read_only=True) as connection:
        scored, high_share, mean, conversion = connection.execute("""
            select count(*), avg(case when s.label = 'high' then 1 else 0 end), avg(s.score),
                   avg(f.is_won)
            from main.lead_scores s join main.fct_lead_scoring_features f using (lead_id)
            """).fetchone()

    for viewport in ("laptop", "phone"):
        page = shown[viewport]
        assert page["problems"] == [], f"{viewport}: {page['problems']}"
        assert page["warnings"] == [], page["warnings"]
        kpis = {kpi["label"]: kpi["value"] for kpi in page["kpis"]}
        assert kpis == {
            "Leads scored": f"{scored:,}",
            "Share high": f"{100 * high_share:.2f}%",
            "Mean score": f"{mean:.3f}",
            "Conversion": f"{100 * conversion:.1f}%",
            "Model version": model["model_version"],
        }, viewport
        assert page["charts"] == 3, "channel, funnel and score charts"
        painted = [c["painted"] for c in page["chart_pixels"]]
        assert (painted and all(p > 500 for p in painted)) or page["chart_svg_marks"] > 10, page
        assert not page["overflows"], f"{viewport}: wider than the screen"

    laptop = shown["laptop"]
    assert_grades_shown(laptop, dashboard["warehouse"], picked)
    assert laptop["errors"] == []
    result = {kpi["label"]: kpi["value"] for kpi in laptop["score"]}
    assert result == {
        "Score": f"{expected_score['score']:.3f}",
        "Label": expected_score["label"],
        "Model version": expected_score["model_version"],
    }
    reasons = [row[0] for row in laptop["reasons"]]
    assert reasons == [reason["feature"] for reason in expected_score["reasons"]]
    assert set(reasons) == {feature["name"] for feature in model["features"]}
    assert "direction" in laptop["reason_headers"] and "contribution" in laptop["reason_headers"]


def query(warehouse: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def reasons_text(reasons: str | None) -> str:
    if not reasons:
        return "–"
    return ", ".join(
        f"{r['feature']} = {r['value']} ({r['direction']})" for r in json.loads(reasons)
    )


def assert_grades_shown(page: dict[str, Any], warehouse: Path, picked: str) -> None:
    """The "Grades and movers" tab: the grade table, the movers of the day and the week, and
    the history of the first lead, then of the picked one, equal to the marts."""
    assert page["grade_errors"] == []
    assert page["grade_charts"] == 2, "grades and the lead's history"
    grades = query(
        warehouse,
        """
        select c.grade, c.leads, c.share_of_leads, c.mean_score, v.leads, v.resolved_leads, v.won,
               v.conversion_rate
        from main.mart_grade_counts c join main.mart_grade_conversion v using (grade)
        order by c.grade""",
    )
    movers = {
        period: query(
            warehouse,
            """
        select lead_id, score_from, score_to, score_change, grade_from, grade_to, reasons
        from main.mart_top_movers where period = ? order by mover_rank""",
            period,
        )
        for period in ("day", "week")
    }

    def history(lead: str) -> list[list[str]]:
        return [
            [
                on.isoformat(),
                f"{score:.3f}",
                grade or "–",
                trend,
                "–" if change is None else f"{change:+.3f}",
            ]
            for on, score, grade, trend, change in query(
                warehouse,
                """
                    select scored_on, score, grade, trend, score_change
                    from main.mart_lead_score_history where lead_id = ? order by scored_on""",
                lead,
            )
        ]

    grade_table, day_table, week_table, first_history = page["grade_tables"]
    assert grade_table["rows"] == [
        [
            grade,
            f"{leads:,}",
            f"{100 * share:.1f}%",
            f"{mean:.3f}",
            f"{ever:,}",
            f"{resolved:,}",
            f"{won:,}",
            "–" if rate is None else f"{100 * rate:.1f}%",
        ]
        for grade, leads, share, mean, ever, resolved, won, rate in grades
    ]
    for table, period in ((day_table, "day"), (week_table, "week")):
        assert table["rows"] == [
            [
                lead,
                f"{before:.3f} → {after:.3f}",
                f"{change:+.3f}",
                f"{grade_from or '–'} → {grade_to or '–'}",
                reasons_text(reasons),
            ]
            for lead, before, after, change, grade_from, grade_to, reasons in movers[period]
        ], period
    assert first_history["rows"] == history(movers["day"][0][0])
    assert page["picked_tables"][3]["rows"] == history(picked)
