"""Realized accuracy end to end: a real `leadscore serve --score-log` records the scores of
leads that carry a lead_id or an email, scripts/load_duckdb loads the log, and the dbt
models (dbt_project/models/monitoring/) join it with the CRM's outcomes.

The served records keep everything the server wrote except scored_at, moved to one hour after
each lead's creation (as if each had been scored on arrival; the generated CRM lies in the
past, so a score made now could not precede any outcome). A second log replays the same
records under another model version with the scores shuffled among the leads: a model whose
ranking is worthless. The dbt figures are checked against an independent computation in
Python on the same rows: the AUC by counting every (won, lost) pair, the outcome from the
feature mart's label.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from fixtures.commands import run
from fixtures.leadscore_server import leadscore_server
from fixtures.mlflow_server import REPO

SAMPLE = 2400
SHUFFLED_VERSION = "shuffled"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def pair_auc(rows: list[tuple[float, int]]) -> float:
    """P(score of a won lead > score of a lost one), ties a half: every pair counted."""
    won = [score for score, outcome in rows if outcome == 1]
    lost = [score for score, outcome in rows if outcome == 0]
    wins = sum((w > lo) + 0.5 * (w == lo) for w in won for lo in lost)
    return wins / (len(won) * len(lost))


@pytest.fixture(scope="module")
def realized(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("realized")
    leads = query(models["warehouse"], f"""
        select lead_id, email, sessions, engaged_sessions, page_views, is_first_visit, channel,
               created_at
        from main.fct_lead_scoring_features order by hash(lead_id) limit {SAMPLE}""")
    created = {row[0]: row[7] for row in leads}
    by_email = {row[1].lower(): row[0] for row in leads}
    # Every 8th lead is sent with its email only: the warehouse finds it by the contact's email.
    body = [{"sessions": s, "engaged_sessions": e, "page_views": p, "is_first_visit": bool(f),
             "channel": c, **({"email": email} if i % 8 == 0 else {"lead_id": lead_id})}
            for i, (lead_id, email, s, e, p, f, c, _) in enumerate(leads)]
    body.append({"sessions": 1, "engaged_sessions": 0, "page_views": 1,
                 "is_first_visit": True, "channel": "Direct"})  # no identity: not recorded
    served_log = root / "serve.jsonl"
    with leadscore_server(root, "--model", str(models["channel"]), "--score-log",
                          str(served_log)) as server:
        response = requests.post(f"{server.url}/score/batch", json={"leads": body}, timeout=60)
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 10
        metrics = ""
        while time.monotonic() < deadline:
            metrics = requests.get(f"{server.url}/metrics", timeout=5).text
            if f"leadscore_score_log_records_total {SAMPLE}\n" in metrics:
                break
            time.sleep(0.1)
        served_scores = [lead["score"] for lead in response.json()["scores"]]
    records = [json.loads(line) for line in served_log.read_text().splitlines()]

    logs = root / "score_log"
    logs.mkdir()
    moved = []
    for record in records:
        lead_id = record.get("lead_id") or by_email[record["email"].lower()]
        at = created[lead_id] + dt.timedelta(hours=1)
        moved.append({**record, "scored_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    (logs / "served.jsonl").write_text("".join(json.dumps(r) + "\n" for r in moved))
    scores = [r["score"] for r in moved]
    random.Random(3).shuffle(scores)
    shuffled = [{**r, "model_version": SHUFFLED_VERSION, "score": s}
                for r, s in zip(moved, scores, strict=True)]
    (logs / "shuffled.jsonl").write_text("".join(json.dumps(r) + "\n" for r in shuffled))

    warehouse = root / "warehouse.duckdb"
    run(str(REPO / "scripts/load_duckdb"), "--raw", str(models["warehouse"].parent / "raw"),
        "--warehouse", str(warehouse), "--features-out", str(root / "features.csv"),
        "--score-logs", str(logs))
    run(str(REPO / "scripts/score_warehouse"), "--warehouse", str(warehouse), "--model",
        str(models["channel"]))
    run(str(REPO / "scripts/build_dashboard"), "--warehouse", str(warehouse), "--out",
        str(root / "dashboard.json"))
    return {"warehouse": warehouse, "records": records, "metrics": metrics,
            "served_scores": served_scores, "leads": leads, "logs": logs, "root": root,
            "raw": models["warehouse"].parent / "raw",
            "dashboard": json.loads((root / "dashboard.json").read_text())}


def test_the_server_records_every_identified_score_and_nothing_else(
        realized: dict[str, Any]) -> None:
    records = realized["records"]
    assert len(records) == SAMPLE
    assert "leadscore_score_log_records_total 2400\n" in realized["metrics"]
    assert 'leadscore_score_log_dropped_total{reason="full"} 0\n' in realized["metrics"]
    assert sorted(r["score"] for r in records) == sorted(realized["served_scores"][:SAMPLE])
    first = records[0]
    assert set(first) >= {"scored_at", "model_version", "model_test_auc", "score", "features"}
    assert set(first["features"]) == {"sessions", "engaged_sessions", "page_views",
                                      "is_first_visit", "channel"}
    assert 0.5 < first["model_test_auc"] < 1
    assert sum("email" in r and "lead_id" not in r for r in records) == SAMPLE // 8


def test_realized_auc_of_the_dbt_models_equals_an_independent_count(
        realized: dict[str, Any]) -> None:
    warehouse = realized["warehouse"]
    rows = query(warehouse, """
        select o.model_version, o.scored_week, o.score, o.outcome, f.is_won
        from main.fct_score_outcomes o join main.fct_lead_scoring_features f using (lead_id)
        where o.resolved""")
    # The outcome is the mart's label, and every served record of the sample resolved.
    assert all(outcome == is_won for *_, outcome, is_won in rows)
    assert sum(version == SHUFFLED_VERSION for version, *_ in rows) == SAMPLE
    by_model = {row[0]: row[1:] for row in query(warehouse, """
        select model_version, resolved, won, realized_auc, brier, promised_auc,
               is_below_promise
        from main.mart_realized_accuracy_by_model""")}
    assert len(by_model) == 2
    for version, (resolved, won, auc, brier, promised, below) in by_model.items():
        mine = [(score, outcome) for v, _, score, outcome, _ in rows if v == version]
        assert resolved == len(mine) == SAMPLE and won == sum(o for _, o in mine)
        assert auc == pytest.approx(pair_auc(mine), abs=1e-12)
        assert brier == pytest.approx(sum((s - o) ** 2 for s, o in mine) / len(mine))
        assert promised == pytest.approx(realized["records"][0]["model_test_auc"])
        assert below == (version == SHUFFLED_VERSION), (version, auc, promised)
    weekly = query(warehouse, """
        select scored_week, model_version, resolved, realized_auc
        from main.mart_realized_accuracy""")
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
        realized: dict[str, Any]) -> None:
    (batch, resolved), = query(realized["warehouse"], """
        select count(*), count(*) filter (where resolved) from main.fct_score_outcomes
        where recorded_by = 'batch'""")
    (training,), = query(realized["warehouse"],
                         "select count(*) from main.fct_lead_scoring_features")
    assert batch >= training and resolved == 0


def test_calibration_bins_hold_every_resolved_score(realized: dict[str, Any]) -> None:
    bins = query(realized["warehouse"], """
        select model_version, sum(resolved), sum(predicted * resolved)
        from main.mart_calibration group by model_version""")
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
        realized: dict[str, Any]) -> None:
    logs = realized["root"] / "bad_logs"
    logs.mkdir()
    good = (realized["logs"] / "served.jsonl").read_text().splitlines()[0]
    bad = json.loads(good) | {"score": 1.7}
    (logs / "scores.jsonl").write_text(good + "\n" + json.dumps(bad) + "\n")
    result = subprocess.run(
        [str(REPO / "scripts/load_duckdb"), "--raw", str(realized["raw"]), "--warehouse",
         str(realized["root"] / "bad.duckdb"), "--features-out",
         str(realized["root"] / "bad.csv"), "--score-logs", str(logs)],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 1
    assert f"{logs / 'scores.jsonl'}:2: score: 1.7 is not a number between 0 and 1" in (
        result.stderr), result.stderr
    assert not (realized["root"] / "bad.duckdb").exists()
