"""Realized accuracy end to end: a real `leadscore serve --score-log` records the scores of
leads that carry a lead_id or an email, scripts/load_duckdb loads the log, and the dbt
models (dbt_project/models/monitoring/) join it with the CRM's outcomes (the `realized`
fixture, tests/e2e/fixtures/realized.py, says how the sample is made). The dbt figures are checked against an independent computation in
Python on the same rows: the AUC by counting every (won, lost) pair, the outcome from the
feature mart's label.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.leadscore_server import leadscore_server
from fixtures.mlflow_server import REPO
from fixtures.realized import SAMPLE, SHUFFLED_VERSION, query

MAX_BATCH_LEADS = 10_000  # api::kMaxBatchLeads (src/api/score_request.h)


def pair_auc(rows: list[tuple[float, int]]) -> float:
    """P(score of a won lead > score of a lost one), ties a half: every pair counted."""
    won = [score for score, outcome in rows if outcome == 1]
    lost = [score for score, outcome in rows if outcome == 0]
    wins = sum((w > lo) + 0.5 * (w == lo) for w in won for lo in lost)
    return wins / (len(won) * len(lost))


def test_the_server_records_every_identified_score_and_nothing_else(
    realized: dict[str, Any],
) -> None:
    records = realized["records"]
    assert len(records) == SAMPLE
    assert "leadscore_score_log_records_total 2400\n" in realized["metrics"]
    assert 'leadscore_score_log_dropped_total{reason="full"} 0\n' in realized["metrics"]
    assert sorted(r["score"] for r in records) == sorted(realized["served_scores"][:SAMPLE])
    first = records[0]
    assert set(first) >= {
        "scored_at", "model_version", "model_test_auc", "score", "grade", "features"
    }
    assert first["grade"] in {"A", "B", "C", "D"}
    # Every feature of the spec, the recency ones at their default when the request omits them.
    spec = json.loads((REPO / "spec/feature_spec.json").read_text())
    assert list(first["features"]) == [feature["name"] for feature in spec["features"]]
    assert 0.5 < first["model_test_auc"] < 1
    assert sum("email" in r and "lead_id" not in r for r in records) == SAMPLE // 8


def test_realized_auc_of_the_dbt_models_equals_an_independent_count(
    realized: dict[str, Any],
) -> None:
    warehouse = realized["warehouse"]
    rows = query(
        warehouse,
        """
        select o.model_version, o.scored_week, o.score, o.outcome, f.is_won
        from main.fct_score_outcomes o join main.fct_lead_scoring_features f using (lead_id)
        where o.resolved""",
    )
    # The outcome is the mart's label, and every served record of the sample resolved.
    assert all(outcome == is_won for *_, outcome, is_won in rows)
    assert sum(version == SHUFFLED_VERSION for version, *_ in rows) == SAMPLE
    by_model = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            """
        select model_version, resolved, won, realized_auc, brier, promised_auc,
               is_below_promise
        from main.mart_realized_accuracy_by_model""",
        )
    }
    assert len(by_model) == 2
    for version, (resolved, won, auc, brier, promised, below) in by_model.items():
        mine = [(score, outcome) for v, _, score, outcome, _ in rows if v == version]
        assert resolved == len(mine) == SAMPLE and won == sum(o for _, o in mine)
        assert auc == pytest.approx(pair_auc(mine), abs=1e-12)
        assert brier == pytest.approx(sum((s - o) ** 2 for s, o in mine) / len(mine))
        assert promised == pytest.approx(realized["records"][0]["model_test_auc"])
        assert below == (version == SHUFFLED_VERSION), (version, auc, promised)
    weekly = query(
        warehouse,
        """
        select scored_week, model_version, resolved, realized_auc
        from main.mart_realized_accuracy""",
    )
    checked = 0
    for week, version, resolved, auc in weekly:
        mine = [(s, o) for v, w, s, o, _ in rows if v == version and w == week]
        assert resolved == len(mine)
        if auc is None:
            assert len({o for _, o in mine}) < 2
        else:
            assert auc == pytest.approx(pair_auc(mine), abs=1e-12)
            checked += 1
    assert checked >= 4, "too few weeks with both outcomes: the weekly AUC is untested"


def test_batch_scores_are_recorded_but_never_count_after_their_outcome(
    realized: dict[str, Any],
) -> None:
    ((batch, resolved),) = query(
        realized["warehouse"],
        """
        select count(*), count(*) filter (where resolved) from main.fct_score_outcomes
        where recorded_by = 'batch'""",
    )
    ((training,),) = query(
        realized["warehouse"], "select count(*) from main.fct_lead_scoring_features"
    )
    assert batch >= training and resolved == 0


def test_calibration_bins_hold_every_resolved_score(realized: dict[str, Any]) -> None:
    bins = query(
        realized["warehouse"],
        """
        select model_version, sum(resolved), sum(predicted * resolved)
        from main.mart_calibration group by model_version""",
    )
    for version, resolved, predicted_total in bins:
        assert resolved == SAMPLE
        mine = [r["score"] for r in realized["records"]]
        assert predicted_total == pytest.approx(sum(mine)), version


def test_the_dashboard_export_carries_the_realized_figures(realized: dict[str, Any]) -> None:
    data = realized["dashboard"]
    versions = {row["model_version"]: row for row in data["realized_accuracy_by_model"]}
    assert versions[SHUFFLED_VERSION]["is_below_promise"] is True
    assert data["realized_accuracy"] and data["calibration"]


def test_a_bad_score_record_fails_the_load_naming_file_line_and_field(
    realized: dict[str, Any],
) -> None:
    logs = realized["root"] / "bad_logs"
    logs.mkdir()
    good = (realized["logs"] / "served.jsonl").read_text().splitlines()[0]
    bad = json.loads(good) | {"score": 1.7}
    (logs / "scores.jsonl").write_text(good + "\n" + json.dumps(bad) + "\n")
    result = subprocess.run(
        [
            str(REPO / "scripts/load_duckdb"),
            "--raw",
            str(realized["raw"]),
            "--warehouse",
            str(realized["root"] / "bad.duckdb"),
            "--features-out",
            str(realized["root"] / "bad.csv"),
            "--score-logs",
            str(logs),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 1
    assert f"{logs / 'scores.jsonl'}:2: score: 1.7 is not a number between 0 and 1" in (
        result.stderr
    ), result.stderr
    assert not (realized["root"] / "bad.duckdb").exists()


def test_a_full_batch_of_identified_leads_is_recorded_whole(
    models: dict[str, Path], tmp_path: Path
) -> None:
    # The largest batch the API takes, every lead identified, on one worker: the score log's
    # ring must hold it (a smaller ring dropped what did not fit, on an idle server).
    leads = [
        {
            "lead_id": f"batch-{i}",
            "sessions": 1 + i % 7,
            "engaged_sessions": i % 2,
            "page_views": 1 + i % 40,
            "is_first_visit": i % 3 == 0,
            "channel": "Direct",
        }
        for i in range(MAX_BATCH_LEADS)
    ]
    log = tmp_path / "scores.jsonl"
    with leadscore_server(
        tmp_path, "--model", str(models["channel"]), "--score-log", str(log)
    ) as server:
        answer = requests.post(f"{server.url}/score/batch", json={"leads": leads}, timeout=60)
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            metrics = requests.get(f"{server.url}/metrics", timeout=5).text
            written = metric(metrics, "leadscore_score_log_records_total")
            dropped = metric(metrics, 'leadscore_score_log_dropped_total{reason="full"}')
            if written + dropped >= MAX_BATCH_LEADS:
                break
            time.sleep(0.1)
    assert (written, dropped) == (MAX_BATCH_LEADS, 0)
    assert len(log.read_text().splitlines()) == MAX_BATCH_LEADS


def metric(text: str, name: str) -> float:
    """The value of one series of a Prometheus text exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")
