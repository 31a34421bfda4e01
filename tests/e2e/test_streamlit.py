"""The Streamlit app (streamlit_app/, started by scripts/run_streamlit) against a real
`leadscore serve` and the scored warehouse, in Chromium (npm playwright-core): its KPIs equal
the marts' and the API's numbers, its charts render, its form scores a lead through
POST /score?explain=true and shows the reasons, and the console stays clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import requests
from fixtures.browser import run_browser_check
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO, free_port

LEAD = {"sessions": 14, "engaged_sessions": 9, "page_views": 60, "channel": "Paid Search",
        "is_first_visit": True}


@pytest.fixture(scope="module")
def server(dashboard: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LeadscoreServer]:
    with leadscore_server(tmp_path_factory.mktemp("streamlit-serve-log"), "--model",
                          str(dashboard["model"])) as running:
        yield running


@pytest.fixture(scope="module")
def streamlit(server: LeadscoreServer, dashboard: dict[str, Path],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_file = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    env = {**os.environ, "LEADSCORE_STREAMLIT_PORT": str(port),
           "LEADSCORE_API_URL": server.url, "LEADSCORE_WAREHOUSE": str(dashboard["warehouse"])}
    with log_file.open("w") as log:
        process = subprocess.Popen([str(REPO / "scripts/run_streamlit")], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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
        streamlit: str, server: LeadscoreServer, dashboard: dict[str, Path],
        tmp_path: Path) -> None:
    shown = run_browser_check("streamlit_check.mjs", {
        "url": streamlit, "screenshots": str(tmp_path), "lead": LEAD})
    model = requests.get(f"{server.url}/model", timeout=5).json()
    expected_score = requests.post(f"{server.url}/score", params={"explain": "true"}, json=LEAD,
                                   timeout=5).json()
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
    assert laptop["errors"] == []
    result = {kpi["label"]: kpi["value"] for kpi in laptop["score"]}
    assert result == {"Score": f"{expected_score['score']:.3f}",
                      "Label": expected_score["label"],
                      "Model version": expected_score["model_version"]}
    reasons = [row[0] for row in laptop["reasons"]]
    assert reasons == [reason["feature"] for reason in expected_score["reasons"]]
    assert set(reasons) == {feature["name"] for feature in model["features"]}
    assert "direction" in laptop["reason_headers"] and "contribution" in laptop["reason_headers"]
