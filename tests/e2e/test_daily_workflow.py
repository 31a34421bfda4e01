"""The daily rescore workflow (automation/n8n_rescore_workflow.json) in a real n8n: its Schedule
Trigger, set by LEADSCORE_RESCORE_CRON to every 10 seconds instead of once a day, runs
scripts/daily_rescore (rescore, HubSpot write-back, Slack) through the Execute Command node
against a real DuckDB warehouse and the loopback HubSpot and Slack stand-ins. A HubSpot that
refuses the write lands the run in the dead-letter table (stage daily:hubspot, what to replay);
the replay workflow reruns it from that step; and however often the schedule fires on one day,
every lead is written once and one digest goes out."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from fixtures.leadscore_server import BINARY
from fixtures.n8n import N8n, n8n_instance
from fixtures.saas_standins import StandIn, slack_and_hubspot, updated_ids

EVERY_10_SECONDS = "*/10 * * * * *"  # n8n's cron: seconds first
T = TypeVar("T")


def wait_for(what: str, check: Callable[[], T], timeout: float = 300) -> T:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(1)


def dead_letters(n8n: N8n) -> list[dict[str, Any]]:
    return n8n.data_table_rows("leadscore_dead_letters")


def history_leads(warehouse: Path, day: str) -> set[str]:
    """Lead ids of `day` in the history; empty while a run holds the warehouse."""
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "SELECT lead_id FROM main.lead_score_history WHERE scored_at::DATE = ?::DATE",
                [day],
            ).fetchall()
    except duckdb.Error:
        return set()
    return {row[0] for row in rows}


def digests(slack: StandIn) -> list[str]:
    return [m.body["text"] for m in slack.succeeded() if "Top movers" in m.body["text"]]


def test_the_schedule_runs_the_daily_job_and_a_failed_step_is_replayed(
    models: dict[str, Path], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(models["warehouse"].read_bytes())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        leads = {
            row[0] for row in con.execute("SELECT lead_id FROM main.fct_open_leads").fetchall()
        }
    with slack_and_hubspot() as (slack, hubspot):
        hubspot.fail_matching(
            "batch/update",
            400,
            {
                "status": "error",
                "message": "Property values were not valid",
                "category": "VALIDATION_ERROR",
            },
        )
        env = {
            "LEADSCORE_RESCORE_CRON": EVERY_10_SECONDS,
            "LEADSCORE_WAREHOUSE": str(warehouse),
            "LEADSCORE_MODEL": str(models["channel"]),
            "LEADSCORE_BIN": str(BINARY),
            "LEADSCORE_WRITEBACK_DIR": str(tmp_path / "writeback"),
            "HUBSPOT_API_URL": hubspot.url,
            "HUBSPOT_TOKEN": hubspot.token,
            "SLACK_API_URL": slack.url,
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_CHANNEL": "#sales-notifications",
            "LEADSCORE_RETRAIN_COMMAND": "",
        }
        with n8n_instance(tmp_path / "n8n-home", env) as n8n:
            # Nobody calls anything: the schedule runs the job; the rescore succeeds, HubSpot
            # refuses the write, and the run waits in the dead-letter table.
            rows = wait_for("a daily:hubspot dead letter", lambda: dead_letters(n8n))
            today = datetime.now(UTC).date().isoformat()
            row = rows[0]
            assert row["stage"] == "daily:hubspot", rows
            assert json.loads(row["lead"]) == {"from": "hubspot", "day": today}
            assert "batch/update" in row["error"] and "HTTP 400" in row["error"], row["error"]
            assert wait_for("today's history", lambda: history_leads(warehouse, today)) == leads
            assert slack.succeeded() == [], "the job stops at the failed step"
            assert updated_ids(hubspot) == []

            # HubSpot accepts again; the replay reruns the dead letters from their step.
            with hubspot.lock:
                hubspot.failures.clear()
            answer = n8n.replay()
            assert answer["failed"] == 0 and answer["replayed"] >= 1, answer
            assert set(answer["emails"]) == {"daily:hubspot"}, answer
            wait_for("every lead written", lambda: set(updated_ids(hubspot)) == leads)
            wait_for("the digest", lambda: digests(slack))
            # A run that failed while the replay ran left a row of its own: replay that too.
            deadline = time.monotonic() + 120
            while dead_letters(n8n):
                assert time.monotonic() < deadline, dead_letters(n8n)
                assert n8n.replay()["failed"] == 0
                time.sleep(5)

            # The schedule keeps firing; the day's work is done once.
            time.sleep(25)
            counts = Counter(updated_ids(hubspot))
            assert set(counts) == leads and set(counts.values()) == {1}
            texts = digests(slack)
            assert len(texts) == 1 and texts[0].startswith(f"📈 Top movers of {today}"), texts
            assert dead_letters(n8n) == []
