"""/dashboard of a real `leadscore serve` with a trained model and the exported marts: its
JSON endpoints against /model and the file, its assets, and the page itself in Chromium
(npm playwright-core): KPIs equal to the API's and the marts' numbers, "Is the model still
right?" equal to the realized-accuracy marts and to the server's GET /model/drift, charts
drawn, live figures that move under scoring traffic, no console error, at laptop and phone
sizes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from fixtures.browser import run_browser_check
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO

SCORE_REQUESTS = 300


@pytest.fixture(scope="module")
def exported(score_history: dict[str, Any]) -> dict[str, Path]:
    """The warehouse of the `realized` fixture (fixtures/realized.py: scored by the channel
    model, served scores recorded and resolved, plus a version whose scores were shuffled)
    with a week of daily rescores whose outcomes are known (fixtures/score_history.py), and
    its dashboard export: every section of the page has figures, two model versions."""
    return {
        "warehouse": score_history["warehouse"],
        "data": score_history["data"],
        "model": score_history["model"],
    }


@pytest.fixture(scope="module")
def server(
    exported: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadscoreServer]:
    with leadscore_server(
        tmp_path_factory.mktemp("dashboard-log"),
        "--model",
        str(exported["model"]),
        "--dashboard-data",
        str(exported["data"]),
    ) as running:
        yield running


def high_lead(warehouse: Path) -> dict:
    """A lead of the warehouse that the model scored high, as a /score request."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute("""
            select f.sessions, f.engaged_sessions, f.page_views, f.channel, f.is_first_visit
            from main.fct_lead_scoring_features f join main.lead_scores s using (lead_id)
            where s.label = 'high' order by s.score desc, f.lead_id limit 1""").fetchone()
    assert row is not None, "the model scored no lead high"
    return {
        "sessions": row[0],
        "engaged_sessions": row[1],
        "page_views": row[2],
        "channel": row[3],
        "is_first_visit": bool(row[4]),
    }


def shows(text: str, value: float | None, decimals: int, suffix: str = "") -> bool:
    """Whether a figure the page shows is `value` at `decimals` places ("–" for none)."""
    if value is None:
        return text == "–"
    if not text.endswith(suffix):
        return False
    number = float(text.removesuffix(suffix))
    return abs(number - value) <= 0.5 * 10.0**-decimals + 1e-9


def assert_realized_accuracy_shown(page: dict[str, Any], warehouse: Path) -> None:
    """The panel "Is the model still right?": every row of the realized-accuracy marts."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        by_model = connection.execute("""
            select model_version, resolved, won, promised_auc, realized_auc, auc_shortfall,
                   brier, precision_grade_a, is_below_promise
            from main.mart_realized_accuracy_by_model order by model_version""").fetchall()
        by_week = connection.execute("""
            select scored_week, model_version, resolved, won, promised_auc, realized_auc, brier,
                   precision_grade_a
            from main.mart_realized_accuracy order by scored_week, model_version""").fetchall()
    assert {row[0] for row in by_model} == {"shuffled", page["kpis"]["kpi-model-version"]["text"]}
    assert not page["realized_empty"]
    assert len(page["realized_models"]) == len(by_model)
    for cells, row in zip(page["realized_models"], by_model, strict=True):
        version, resolved, won, promised, realized, shortfall, brier, precision, below = row
        assert cells[:3] == [version, f"{resolved:,}", f"{won:,}"], cells
        assert shows(cells[3], promised, 3) and shows(cells[4], realized, 3), (cells, row)
        assert shows(cells[5].lstrip("+"), shortfall, 3) and shows(cells[6], brier, 4), (cells, row)
        assert shows(cells[7], None if precision is None else 100 * precision, 1, "%"), cells
        assert (cells[8] == "below promise") == below, (cells, row)
    shuffled = next(cells for cells in page["realized_models"] if cells[0] == "shuffled")
    assert shuffled[8] == "below promise" and float(shuffled[4]) < 0.6, shuffled
    assert len(page["realized_weeks"]) == len(by_week) > 0
    for cells, row in zip(page["realized_weeks"], by_week, strict=True):
        week, version, resolved, won, promised, realized, brier, precision = row
        assert cells[:4] == [week.isoformat(), version, f"{resolved:,}", f"{won:,}"], cells
        assert shows(cells[4], promised, 3) and shows(cells[5], realized, 3), (cells, row)
        assert shows(cells[6], brier, 4), (cells, row)
        assert shows(cells[7], None if precision is None else 100 * precision, 1, "%"), cells


def query(warehouse: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def history_lead(warehouse: Path) -> str:
    """A lead of the week's movers (so rescored on several days) other than the one the page
    shows first (the day's top mover): picking it must change what the page shows."""
    first = query(
        warehouse, "select lead_id from main.mart_top_movers order by period, mover_rank limit 1"
    )[0][0]
    movers = query(
        warehouse,
        "select lead_id from main.mart_top_movers where period = 'week' "
        "and lead_id <> ? order by mover_rank",
        first,
    )
    assert movers, "no mover of the week besides the day's first"
    return str(movers[0][0])


def reasons_text(reasons: str | None) -> str:
    if not reasons:
        return "–"
    return ", ".join(
        f"{r['feature']} = {r['value']} ({r['direction']})" for r in json.loads(reasons)
    )


def signed(value: float | None) -> str:
    return "–" if value is None else f"{'+' if value > 0 else ''}{value:.3f}"


def assert_grades_shown(page: dict[str, Any], warehouse: Path, lead: str, model: dict) -> None:
    """ "Grades and movers": every row of the grade, mover and history marts, as the page
    formats them."""
    counts = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            """
        select grade, scored_on, leads, share_of_leads, mean_score, alerts
        from main.mart_grade_counts""",
        )
    }
    conversion = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            """
        select grade, leads, resolved_leads, won, conversion_rate
        from main.mart_grade_conversion""",
        )
    }
    assert set(counts) == set(conversion) == {"A", "B", "C", "D"}
    (day,) = {row[0] for row in counts.values()}
    assert page["grades_day"] == f"on {day.isoformat()}"
    expected = []
    for grade in ("A", "B", "C", "D"):
        _, leads, share, mean, alerts = counts[grade]
        ever, resolved, won, rate = conversion[grade]
        expected.append(
            [
                grade,
                f"{leads:,}",
                f"{100 * share:.1f}%",
                f"{mean:.3f}",
                f"{alerts:,}",
                f"{ever:,}",
                f"{resolved:,}",
                f"{won:,}",
                "–" if rate is None else f"{100 * rate:.1f}%",
            ]
        )
    assert page["grades"] == expected
    for cut in model["grades"][:3]:
        assert f"{cut['grade']} from {cut['min_score']:.3f}" in page["grade_cuts"], page[
            "grade_cuts"
        ]

    for period in ("day", "week"):
        movers = query(
            warehouse,
            """
            select lead_id, score_from, score_to, score_change, grade_from, grade_to, reasons
            from main.mart_top_movers where period = ? order by mover_rank""",
            period,
        )
        assert 0 < len(movers) <= 10, period
        assert page[f"movers_{period}"] == [
            [
                lead_id,
                f"{before:.3f} → {after:.3f}",
                signed(change),
                f"{grade_from or '–'} → {grade_to or '–'}",
                reasons_text(reasons),
            ]
            for lead_id, before, after, change, grade_from, grade_to, reasons in movers
        ], period

    day_first = query(
        warehouse,
        "select lead_id from main.mart_top_movers where period = 'day' and mover_rank = 1",
    )[0][0]
    assert page["history_first"] == day_first
    assert lead in page["history_options"] and day_first in page["history_options"]
    history = query(
        warehouse,
        """
        select scored_on, score, grade, trend, score_change from main.mart_lead_score_history
        where lead_id = ? order by scored_on""",
        lead,
    )
    assert len(history) >= 2
    assert page["history"] == [
        [on.isoformat(), f"{score:.3f}", grade or "–", trend, signed(change)]
        for on, score, grade, trend, change in history
    ]


def assert_drift_shown(page: dict[str, Any], drift: dict[str, Any]) -> None:
    """Drift per feature: the PSI and status of GET /model/drift, with its thresholds."""
    expected = [*drift["features"], drift["score"]]
    assert [cells[0] for cells in page["drift"]] == [h["name"] for h in expected]
    for cells, histogram in zip(page["drift"], expected, strict=True):
        assert shows(cells[1], histogram["psi"], 3), (cells, histogram["psi"])
        assert cells[2] == histogram["status"], cells
    assert f"{drift['leads']:,} leads" in page["drift_note"], page["drift_note"]
    thresholds = drift["thresholds"]
    assert thresholds == {"watch": 0.1, "alert": 0.2}
    assert (
        f"watch above {thresholds['watch']}, alert above {thresholds['alert']}"
        in page["drift_note"]
    )
    # 305 copies of one lead: its page views land in one bin, far from the training shares.
    assert {cells[0]: cells[2] for cells in page["drift"]}["page_views"] == "alert"


def test_data_endpoint_joins_the_model_and_the_export(
    server: LeadscoreServer, exported: dict[str, Path]
) -> None:
    data = requests.get(f"{server.url}/dashboard/data", timeout=5).json()
    model = requests.get(f"{server.url}/model", timeout=5).json()
    assert data["model_problem"] is None and data["warehouse_problem"] is None
    for key in (
        "model_version",
        "feature_set",
        "threshold",
        "trained_at",
        "metrics",
        "reliability",
    ):
        assert data["model"][key] == model[key], key
    assert data["warehouse"] == json.loads(exported["data"].read_text())
    reliability = model["reliability"]
    assert len(reliability) == 10
    assert sum(b["count"] for b in reliability) == model["metrics"]["test_rows"]


def test_live_endpoint_counts_scoring(server: LeadscoreServer, exported: dict[str, Path]) -> None:
    before = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    lead = high_lead(exported["warehouse"])
    for _ in range(5):
        assert requests.post(f"{server.url}/score", json=lead, timeout=5).json()["label"] == "high"
    after = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    assert after["score_requests_total"] - before["score_requests_total"] == 5
    assert after["high_total"] - before["high_total"] == 5
    assert after["uptime_seconds"] > before["uptime_seconds"]
    assert sum(after["score_latency_counts"]) == after["score_requests_total"]
    assert len(after["score_latency_counts"]) == len(after["latency_bounds_seconds"]) + 1
    assert 0 < after["score_p99_seconds"] <= after["latency_bounds_seconds"][-1]


def test_assets_come_from_the_pinned_npm_package_and_nothing_else(server: LeadscoreServer) -> None:
    page = requests.get(f"{server.url}/dashboard", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "https://" not in page.text and "http://" not in page.text
    chart = requests.get(f"{server.url}/dashboard/chart.umd.min.js", timeout=5)
    assert chart.status_code == 200
    assert chart.content == (REPO / "node_modules/chart.js/dist/chart.umd.min.js").read_bytes()
    for path in ("/dashboard/index.html", "/dashboard/../package.json", "/dashboard/chart.js"):
        assert requests.get(f"{server.url}{path}", timeout=5).status_code == 404, path


def test_a_replaced_export_is_served_without_restart(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    data_file = tmp_path / "dashboard.json"
    shutil.copy(exported["data"], data_file)
    with leadscore_server(
        tmp_path, "--model", str(exported["model"]), "--dashboard-data", str(data_file)
    ) as running:
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
    server: LeadscoreServer, exported: dict[str, Path], tmp_path: Path
) -> None:
    lead = high_lead(exported["warehouse"])
    picked = history_lead(exported["warehouse"])
    shown = run_browser_check(
        "dashboard_check.mjs",
        {
            "url": server.url,
            "screenshots": str(tmp_path),
            "lead": lead,
            "requests": SCORE_REQUESTS,
            "history_lead": picked,
        },
    )
    model = requests.get(f"{server.url}/model", timeout=5).json()
    live = requests.get(f"{server.url}/dashboard/live", timeout=5).json()
    with duckdb.connect(str(exported["warehouse"]), read_only=True) as connection:
        scored, high_share, mean = connection.execute(
            "select count(*), avg(case when label = 'high' then 1 else 0 end), avg(score) "
            "from main.lead_scores where not is_open"
        ).fetchone()
        channels = connection.execute(
            "select channel from main.mart_channel_attribution order by leads desc, channel"
        ).fetchall()
        funnel = connection.execute(
            "select stage, count from main.mart_funnel order by stage_order"
        ).fetchall()

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
            (stage, f"{count:,}") for stage, count in funnel
        ]
        assert_realized_accuracy_shown(page, exported["warehouse"])
        assert_grades_shown(page, exported["warehouse"], picked, model)
        charts = {chart["id"]: chart for chart in page["charts"]}
        assert charts.keys() == {
            "chart-grades",
            "chart-lead-history",
            "chart-live",
            "chart-scores",
            "chart-reliability",
            "chart-channels",
            "chart-funnel",
            "chart-realized-auc",
            "chart-calibration",
            "chart-drift",
        }
        for chart in charts.values():
            assert chart["width"] > 0 and chart["painted"] > 500, f"{viewport}: {chart}"
    assert not shown["phone"]["overflows"], "the page is wider than a phone's screen"
    # No scoring after the laptop's traffic: the phone's page shows the window of now.
    assert_drift_shown(shown["phone"], requests.get(f"{server.url}/model/drift", timeout=5).json())

    moved = shown["laptop"]["live"]
    assert moved["high_after"] - moved["high_before"] == SCORE_REQUESTS
    assert moved["high_after"] == live["high_total"], "the page shows the server's counter"
    assert moved["max_rate"] > 0
    assert moved["p99_value"] is not None and float(moved["p99_value"]) > 0


def test_without_an_export_the_page_says_what_to_run(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    with leadscore_server(
        tmp_path, "--model", str(exported["model"]), "--dashboard-data", str(tmp_path / "none.json")
    ) as running:
        data = requests.get(f"{running.url}/dashboard/data", timeout=5).json()
    assert data["warehouse"] is None and data["model"] is not None
    assert "scripts/build_dashboard" in data["warehouse_problem"]


def test_with_an_api_key_the_dashboard_stays_open_and_scoring_does_not(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    with leadscore_server(
        tmp_path,
        "--model",
        str(exported["model"]),
        "--dashboard-data",
        str(exported["data"]),
        env={"LEADSCORE_API_KEY": "k3y"},
    ) as running:
        for path in (
            "/dashboard",
            "/dashboard/data",
            "/dashboard/live",
            "/dashboard/chart.umd.min.js",
        ):
            assert requests.get(f"{running.url}{path}", timeout=5).status_code == 200, path
        lead = high_lead(exported["warehouse"])
        assert requests.post(f"{running.url}/score", json=lead, timeout=5).status_code == 401


def test_conversion_per_grade_counts_each_resolved_lead_once_per_grade_it_held(
    exported: dict[str, Path],
) -> None:
    """mart_grade_conversion against the rescore history and the training labels: every lead
    rescored in the fixture's week was open then and has its 90-day outcome by the as-of, so
    each grade's conversion is the won share of the distinct leads it was given."""
    warehouse = exported["warehouse"]
    recomputed = query(
        warehouse,
        """
        with given as (
            select distinct h.grade, h.lead_id, f.is_won
            from main.lead_score_history h
            join main.fct_lead_scoring_features f using (lead_id))
        select grade, count(*), sum(is_won), avg(is_won) from given group by grade order by grade""",
    )
    mart = query(
        warehouse,
        """
        select grade, resolved_leads, won, conversion_rate from main.mart_grade_conversion
        where open_leads = 0 and resolved_leads = leads order by grade""",
    )
    assert [row[:3] for row in mart] == [row[:3] for row in recomputed]
    assert [row[3] for row in mart] == pytest.approx([row[3] for row in recomputed])
    rates = {row[0]: row[3] for row in mart}
    # The grades mean something on leads they have not seen: A converts more than D.
    assert rates["A"] > rates["D"], rates


def test_before_the_first_rescore_the_grade_marts_exist_and_are_empty(
    dashboard: dict[str, Path],
) -> None:
    """The warehouse scripts/load_duckdb and scripts/score_warehouse leave, before any
    scripts/rescore: main.lead_score_history does not exist, the grade marts build empty (the
    page then says to run scripts/rescore) instead of failing scripts/build_dashboard."""
    warehouse = dashboard["warehouse"]
    tables = {row[0] for row in query(warehouse, "select table_name from duckdb_tables()")}
    assert "lead_score_history" not in tables
    for mart in (
        "mart_lead_score_history",
        "mart_grade_counts",
        "mart_grade_conversion",
        "mart_top_movers",
    ):
        assert query(warehouse, f"select count(*) from main.{mart}") == [(0,)], mart
    data = json.loads(dashboard["data"].read_text())
    for section in ("grade_counts", "grade_conversion", "top_movers", "score_history"):
        assert data[section] == [], section


def test_build_dashboard_reports_the_days_grades(score_history: dict[str, Any]) -> None:
    counts = query(
        score_history["warehouse"],
        "select scored_on, grade, leads from main.mart_grade_counts order by grade",
    )
    day = counts[0][0].isoformat()
    grades = ", ".join(f"{grade} {leads}" for _, grade, leads in counts)
    expected = (
        f"grades of the {sum(row[2] for row in counts)} open leads rescored on {day}: {grades}; "
        f"{len(score_history['dashboard']['top_movers'])} top movers (day and week)"
    )
    assert expected in score_history["build_output"], score_history["build_output"]
