"""The dashboard marts (dbt_project/models/dashboards/) on a real scored warehouse: their
figures against the same figures computed independently from the raw tables and
main.lead_scores, the JSON export scripts/build_dashboard writes, and dbt tests that stop a
build on bad scores.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from fixtures.mlflow_server import REPO

BUILD_DASHBOARD = REPO / "scripts/build_dashboard"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_channel_attribution_matches_the_scores_and_the_feature_mart(
        dashboard: dict[str, Path]) -> None:
    warehouse = dashboard["warehouse"]
    mart = {row[0]: row[1:] for row in query(warehouse, """
        select channel, leads, won, conversion_rate, scored_leads, mean_score, high_leads,
               high_share, lead_share, won_share
        from main.mart_channel_attribution""")}
    expected = {row[0]: row[1:] for row in query(warehouse, """
        select f.channel, count(*), sum(f.is_won), avg(f.is_won), count(s.score), avg(s.score),
               count(*) filter (where s.score > 0.8),
               count(*) filter (where s.score > 0.8) / count(s.score)
        from main.fct_lead_scoring_features f join main.lead_scores s using (lead_id)
        group by f.channel""")}
    assert mart.keys() == expected.keys()
    total_leads = sum(row[0] for row in expected.values())
    total_won = sum(row[1] for row in expected.values())
    for channel, (leads, won, rate, scored, mean, high, high_share, lead_share,
                  won_share) in mart.items():
        want = expected[channel]
        assert (leads, won, scored, high) == (want[0], want[1], want[3], want[5]), channel
        assert rate == pytest.approx(want[2]) and mean == pytest.approx(want[4])
        assert high_share == pytest.approx(want[6])
        assert lead_share == pytest.approx(leads / total_leads)
        assert won_share == pytest.approx(won / total_won)
    assert sum(row[5] for row in mart.values()) > 0, "no lead scored high: the KPI is untested"


def test_funnel_counts_nested_stages_from_the_raw_tables(dashboard: dict[str, Path]) -> None:
    warehouse = dashboard["warehouse"]
    funnel = query(warehouse, "select stage, count, share_of_visitors, step_rate "
                              "from main.mart_funnel order by stage_order")
    assert [row[0] for row in funnel] == ["visitors", "engaged visitors", "contacts", "won"]
    # Independently, from the raw GA4 events and HubSpot contacts (engaged: GA4's
    # session_engaged = '1' on any event of the browser).
    ga4_id = "json_extract_string(properties, '$.ga_client_id')"
    engaged_ids = """
        select distinct user_pseudo_id from raw.ga4_events
        where list_contains(list_transform(event_params, lambda p: p.key = 'session_engaged'
                                           and p.value.string_value = '1'), true)"""
    (visitors,), = query(warehouse, f"""
        select count(*) from (select user_pseudo_id from raw.ga4_events
                              union select {ga4_id} from raw.hubspot_contacts
                              where {ga4_id} is not null)""")
    (engaged,), = query(warehouse, f"select count(*) from ({engaged_ids})")
    (contacts,), = query(warehouse, f"""
        select count(distinct {ga4_id}) from raw.hubspot_contacts
        where {ga4_id} in ({engaged_ids})""")
    counts = [row[1] for row in funnel]
    assert counts[:3] == [visitors, engaged, contacts]
    assert 0 < counts[3] <= counts[2] <= counts[1] <= counts[0]
    assert funnel[0][3] == 1.0 and funnel[1][3] == pytest.approx(engaged / visitors)
    assert funnel[3][2] == pytest.approx(counts[3] / visitors)


def test_export_holds_exactly_the_marts(dashboard: dict[str, Path]) -> None:
    warehouse = dashboard["warehouse"]
    data = json.loads(dashboard["data"].read_text())
    assert data["format"] == "leadscore-dashboard/1"
    (scored, high, mean, version), = query(warehouse, """
        select count(*), count(*) filter (where label = 'high'), avg(score), any_value(model_version)
        from main.lead_scores where not is_open""")
    totals = data["totals"]
    assert (totals["scored_leads"], totals["high_leads"]) == (scored, high)
    assert totals["mean_score"] == pytest.approx(mean)
    assert totals["high_share"] == pytest.approx(high / scored)
    version_in_model = json.loads(dashboard["model"].read_text())["learner"]["attributes"][
        "model_version"]
    assert totals["model_version"] == version == version_in_model
    channels = query(warehouse, "select channel, leads from main.mart_channel_attribution "
                                "order by leads desc, channel")
    assert [(c["channel"], c["leads"]) for c in data["channel_attribution"]] == channels
    assert [s["stage"] for s in data["funnel"]] == ["visitors", "engaged visitors", "contacts",
                                                    "won"]
    bins = data["score_distribution"]
    assert len(bins) == 20 and sum(b["leads"] for b in bins) == scored
    assert bins[0]["lower_bound"] == 0.0 and bins[-1]["upper_bound"] == 1.0
    assert all(math.isfinite(c["mean_score"]) for c in data["channel_attribution"])


def test_a_score_outside_0_1_fails_the_build_naming_the_test(
        dashboard: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "warehouse.duckdb"
    shutil.copy(dashboard["warehouse"], broken)
    with duckdb.connect(str(broken)) as connection:
        connection.execute("update main.lead_scores set score = 1.5 where lead_id = "
                           "(select min(lead_id) from main.lead_scores)")
    out = tmp_path / "dashboard.json"
    result = subprocess.run([str(BUILD_DASHBOARD), "--warehouse", str(broken), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "value_between on source scoring.lead_scores, column score" in result.stderr, \
        result.stderr
    assert "value=1.5" in result.stderr and "scripts/score_warehouse" in result.stderr

    assert not out.exists(), "a failed build must not write the dashboard file"


def test_an_unscored_warehouse_is_refused_with_what_to_run(
        models: dict[str, Path], tmp_path: Path) -> None:
    fresh = tmp_path / "warehouse.duckdb"
    shutil.copy(models["warehouse"], fresh)
    with duckdb.connect(str(fresh)) as connection:
        connection.execute("drop table if exists main.lead_scores")
    result = subprocess.run([str(BUILD_DASHBOARD), "--warehouse", str(fresh), "--out",
                             str(tmp_path / "d.json")], cwd=REPO, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 1
    assert "main.lead_scores" in result.stderr and "scripts/score_warehouse" in result.stderr
