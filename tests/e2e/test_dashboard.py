"""/dashboard of a real `leadscore serve` with a trained model and the exported marts: its
JSON endpoints against /model and the file, its assets, and the page itself in Chromium
(npm playwright-core): KPIs equal to the API's and the marts' numbers, charts drawn, live
figures that move under scoring traffic, no console error, at laptop and phone sizes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import requests
from fixtures.browser import run_browser_check
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO

SCORE_REQUESTS = 300


@pytest.fixture(scope="module")
def server(dashboard: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LeadscoreServer]:
    with leadscore_server(tmp_path_factory.mktemp("dashboard-log"), "--model",
                          str(dashboard["model"]), "--dashboard-data",
                          str(dashboard["data"])) as running:
        yield running


def high_lead(warehouse: Path) -> dict:
    """A lead of the warehouse that the model scored high, as a /score request."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute("""
            select f.sessions, f.engaged_sessions, f.page_views, f.channel, f.is_first_visit
            from main.fct_lead_scoring_features f join main.lead_scores s using (lead_id)
            where s.label = 'high' order by s.score desc, f.lead_id limit 1""").fetchone()
    assert row is not None, "the model scored no lead high"
    return {"sessions": row[0], "engaged_sessions": row[1], "page_views": row[2],
            "channel": row[3], "is_first_visit": bool(row[4])}


def test_data_endpoint_joins_the_model_and_the_export(server: LeadscoreServer,
                                                      dashboard: dict[str, Path]) -> None:
    data = requests.get(f"{server.url}/dashboard/data", timeout=5).json()
    model = requests.get(f"{server.url}/model", timeout=5).json()
    assert data["model_problem"] is None and data["warehouse_problem"] is None
    for key in ("model_version", "feature_set", "threshold", "trained_at", "metrics",
                "reliability"):
        assert data["model"][key] == model[key], key
    assert data["warehouse"] == json.loads(dashboard["data"].read_text())
    reliability = model["reliability"]
    assert len(reliability) == 10
    assert sum(b["count"] for b in reliability) == model["metrics"]["test_rows"]


def test_live_endpoint_counts_scoring(server: LeadscoreServer, dashboard: dict[str, Path]
                                      ) -> None:
    before = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    lead = high_lead(dashboard["warehouse"])
    for _ in range(5):
        assert requests.post(f"{server.url}/score", json=lead, timeout=5).json()["label"] == "high"
    after = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    assert after["score_requests_total"] - before["score_requests_total"] == 5
    assert after["high_total"] - before["high_total"] == 5
    assert after["uptime_seconds"] > before["uptime_seconds"]
    assert sum(after["score_latency_counts"]) == after["score_requests_total"]
    assert len(after["score_latency_counts"]) == len(after["latency_bounds_seconds"]) + 1
    assert 0 < after["score_p99_seconds"] <= after["latency_bounds_seconds"][-1]


def test_assets_come_from_the_pinned_npm_package_and_nothing_else(
        server: LeadscoreServer) -> None:
    page = requests.get(f"{server.url}/dashboard", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "https://" not in page.text and "http://" not in page.text
    chart = requests.get(f"{server.url}/dashboard/chart.umd.min.js", timeout=5)
    assert chart.status_code == 200
    assert chart.content == (REPO / "node_modules/chart.js/dist/chart.umd.min.js").read_bytes()
    for path in ("/dashboard/index.html", "/dashboard/../package.json", "/dashboard/chart.js"):
        assert requests.get(f"{server.url}{path}", timeout=5).status_code == 404, path


def test_a_replaced_export_is_served_without_restart(
        dashboard: dict[str, Path], tmp_path: Path) -> None:
    data_file = tmp_path / "dashboard.json"
    shutil.copy(dashboard["data"], data_file)
    with leadscore_server(tmp_path, "--model", str(dashboard["model"]), "--dashboard-data",
                          str(data_file)) as running:
        first = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
        changed = json.loads(data_file.read_text())
        changed["totals"]["scored_leads"] = 7
        staged = tmp_path / "staged.json"
        staged.write_text(json.dumps(changed))
        os.replace(staged, data_file)
        second = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
        data_file.write_text("{not json")
        third = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
        data_file.unlink()
        fourth = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
    assert first["warehouse"]["totals"]["scored_leads"] != 7
    assert second["warehouse"]["totals"]["scored_leads"] == 7
    assert third["warehouse"]["totals"]["scored_leads"] == 7, "kept the last valid figures"
    assert "not valid JSON" in third["warehouse_problem"]
    assert fourth["warehouse"]["totals"]["scored_leads"] == 7
    assert "missing" in fourth["warehouse_problem"]
    assert "scripts/build_dashboard" in fourth["warehouse_problem"]


def test_the_page_in_chromium_shows_the_apis_and_the_marts_numbers(
        server: LeadscoreServer, dashboard: dict[str, Path], tmp_path: Path) -> None:
    lead = high_lead(dashboard["warehouse"])
    shown = run_browser_check("dashboard_check.mjs", {
        "url": server.url, "screenshots": str(tmp_path), "lead": lead,
        "requests": SCORE_REQUESTS})
    model = requests.get(f"{server.url}/model", timeout=5).json()
    live = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    with duckdb.connect(str(dashboard["warehouse"]), read_only=True) as connection:
        scored, high_share, mean = connection.execute(
            "select count(*), avg(case when label = 'high' then 1 else 0 end), avg(score) "
            "from main.lead_scores where not is_open").fetchone()
        channels = connection.execute(
            "select channel from main.mart_channel_attribution order by leads desc, channel"
        ).fetchall()
        funnel = connection.execute(
            "select stage, count from main.mart_funnel order by stage_order").fetchall()

    for viewport in ("laptop", "phone"):
        page = shown[viewport]
        assert page["problems"] == [], f"{viewport}: {page['problems']}"
        assert page["problem_banners"] == [], page["problem_banners"]
        kpis = {key: value["text"] for key, value in page["kpis"].items()}
        assert kpis == {
            "kpi-leads-scored": f"{scored:,}",
            "kpi-share-high": f"{100 * high_share:.2f}%",
            "kpi-mean-score": f"{mean:.3f}",
            "kpi-model-version": model["model_version"],
            "kpi-test-auc": f"{model['metrics']['auc']:.3f}",
            "kpi-last-trained": model["trained_at"],
        }, viewport
        assert float(page["kpis"]["kpi-mean-score"]["value"]) == pytest.approx(mean)
        assert [row[0] for row in page["channels"]] == [c[0] for c in channels]
        assert [(row[0], row[1]) for row in page["funnel"]] == [
            (stage, f"{count:,}") for stage, count in funnel]
        charts = {chart["id"]: chart for chart in page["charts"]}
        assert charts.keys() == {"chart-live", "chart-scores", "chart-reliability",
                                 "chart-channels", "chart-funnel"}
        for chart in charts.values():
            assert chart["width"] > 0 and chart["painted"] > 500, f"{viewport}: {chart}"
    assert not shown["phone"]["overflows"], "the page is wider than a phone's screen"

    moved = shown["laptop"]["live"]
    assert moved["high_after"] - moved["high_before"] == SCORE_REQUESTS
    assert moved["high_after"] == live["high_total"], "the page shows the server's counter"
    assert moved["max_rate"] > 0
    assert moved["p99_value"] is not None and float(moved["p99_value"]) > 0


def test_without_an_export_the_page_says_what_to_run(
        dashboard: dict[str, Path], tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(dashboard["model"]), "--dashboard-data",
                          str(tmp_path / "none.json")) as running:
        data = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
    assert data["warehouse"] is None and data["model"] is not None
    assert "scripts/build_dashboard" in data["warehouse_problem"]


def test_with_an_api_key_the_dashboard_stays_open_and_scoring_does_not(
        dashboard: dict[str, Path], tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(dashboard["model"]), "--dashboard-data",
                          str(dashboard["data"]), env={"LEADSCORE_API_KEY": "k3y"}) as running:
        for path in ("/dashboard", "/dashboard/data", "/dashboard/live",
                     "/dashboard/chart.umd.min.js"):
            assert requests.get(f"{running.url}{path}", timeout=5).status_code == 200, path
        lead = high_lead(dashboard["warehouse"])
        assert requests.post(f"{running.url}/score", json=lead, timeout=5).status_code == 401
