"""scripts/writeback after scripts/rescore, on a real dbt-built warehouse, with the engine's
`leadscore push hubspot` against the loopback HubSpot stand-in and Slack's stand-in: a lead
that came back moves up and is written back once, unchanged leads cause no HubSpot call, a
lead newly in grade A is alerted once, the daily digest names the top movers, and a push that
fails or is killed after some batches resumes without writing any contact twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO
from fixtures.saas_standins import StandIn, slack_and_hubspot, updated_ids
from test_rescore import OPEN_LEADS, edit_open_leads, history_on, query, rescored

WRITEBACK = REPO / "scripts/writeback"
UPDATE = "/crm/v3/objects/contacts/batch/update"


@dataclass(frozen=True)
class Setup:
    warehouse: Path
    model: Path
    state_dir: Path
    slack: StandIn
    hubspot: StandIn

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LEADSCORE_BIN": str(BINARY),
            "LEADSCORE_WAREHOUSE": str(self.warehouse),
            "LEADSCORE_WRITEBACK_DIR": str(self.state_dir),
            "HUBSPOT_API_URL": self.hubspot.url,
            "HUBSPOT_TOKEN": self.hubspot.token,
            "SLACK_API_URL": self.slack.url,
            "SLACK_BOT_TOKEN": self.slack.token,
            "SLACK_CHANNEL": "#sales-notifications",
        }

    def command(self, step: str, *extra: str) -> list[str]:
        return [str(WRITEBACK), step, "--attempts", "2", "--retry-backoff-ms", "10", *extra]

    def run(self, step: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(step, *extra),
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def ok(self, step: str, *extra: str) -> str:
        result = self.run(step, *extra)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def written(self) -> dict[str, tuple[str, str, str, str]]:
        rows = query(
            self.warehouse,
            "SELECT lead_id, leadscore_score, leadscore_grade, leadscore_trend, "
            "leadscore_model_version FROM main.hubspot_written",
        )
        return {row[0]: row[1:] for row in rows}


@pytest.fixture
def setup(models: dict[str, Path], tmp_path: Path) -> Iterator[Setup]:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(models["warehouse"].read_bytes())
    with slack_and_hubspot() as (slack, hubspot):
        yield Setup(warehouse, models["channel"], tmp_path / "writeback", slack, hubspot)


def open_lead_ids(warehouse: Path) -> set[str]:
    return {row[0] for row in query(warehouse, f"SELECT lead_id FROM {OPEN_LEADS}")}


def assert_each_once(hubspot: StandIn, expected: set[str]) -> None:
    counts = Counter(updated_ids(hubspot))
    assert set(counts) == expected
    assert {n for n in counts.values()} == {1}, [i for i, n in counts.items() if n > 1]


def test_a_lead_that_came_back_is_written_back_once_and_alerted_once(setup: Setup) -> None:
    rescored(setup.warehouse, setup.model, "2024-06-01")
    leads = open_lead_ids(setup.warehouse)
    day1 = history_on(setup.warehouse, "2024-06-01")
    version = json.loads(setup.model.read_text())["learner"]["attributes"]["model_version"]

    # Day 1: every lead is new to HubSpot, in batches of at most 100 by record id.
    assert "wrote" in setup.ok("hubspot")
    assert_each_once(setup.hubspot, leads)
    batches = [r.body["inputs"] for r in setup.hubspot.succeeded()]
    assert len(batches) == -(-len(leads) // 100) and max(len(b) for b in batches) <= 100
    assert {r.path for r in setup.hubspot.requests} == {UPDATE}
    some = batches[0][0]
    assert "idProperty" not in some
    assert some["properties"] == {
        "leadscore_score": f"{day1[some['id']][0]:.4f}",
        "leadscore_grade": day1[some["id"]][1],
        "leadscore_trend": "new",
        "leadscore_model_version": version,
    }
    assert set(setup.written()) == leads

    # The same values again: not one HubSpot request.
    setup.hubspot.reset()
    assert "no HubSpot call" in setup.ok("hubspot")
    assert setup.hubspot.requests == []
    # Slack on day 1: nobody *newly* reached A (no earlier grade), one digest.
    setup.ok("slack")
    assert [m.body["text"].splitlines()[0] for m in setup.slack.succeeded()] == [
        "📈 Top movers of 2024-06-01 (largest score rises since the last rescore)"
    ]

    # The coldest lead comes back: the sessions of the hottest (more engaged ones).
    cold = min(day1, key=lambda lead: (day1[lead][0], lead))
    hot = max(day1, key=lambda lead: (day1[lead][0], lead))
    assert day1[cold][1] == "D" and day1[hot][1] == "A"

    def comeback(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            f"UPDATE {OPEN_LEADS} AS t SET sessions = h.sessions, engaged_sessions = "
            "h.engaged_sessions, page_views = h.page_views, is_first_visit = h.is_first_visit, "
            f"channel = h.channel FROM {OPEN_LEADS} AS h WHERE h.lead_id = ? AND t.lead_id = ?",
            [hot, cold],
        )

    before = query(
        setup.warehouse, f"SELECT engaged_sessions FROM {OPEN_LEADS} WHERE lead_id = ?", cold
    )
    edit_open_leads(setup.warehouse, comeback)
    after = query(
        setup.warehouse, f"SELECT engaged_sessions FROM {OPEN_LEADS} WHERE lead_id = ?", cold
    )
    assert after[0][0] > before[0][0]
    rescored(setup.warehouse, setup.model, "2024-06-02")
    day2 = history_on(setup.warehouse, "2024-06-02")
    assert day2[cold][1] == "A" and day2[cold][2] == "improving" and day2[cold][0] > day1[cold][0]

    # Day 2: the comeback is written with its new values, once; the others changed trend
    # (new -> steady) and are written once too.
    setup.hubspot.reset()
    setup.ok("hubspot")
    assert_each_once(setup.hubspot, leads)
    assert setup.written()[cold] == (f"{day2[cold][0]:.4f}", "A", "improving", version)
    setup.hubspot.reset()
    setup.ok("hubspot")
    assert setup.hubspot.requests == []

    # Slack on day 2: one alert for the lead newly in grade A, and the digest led by it.
    setup.slack.reset()
    out = setup.ok("slack")
    assert "1 lead(s) newly in grade A" in out
    texts = [m.body["text"] for m in setup.slack.succeeded()]
    assert len(texts) == 2
    alert, digest = texts
    assert alert.startswith("🚀 Lead reached grade A") and f"Contact: {cold}" in alert
    assert "was D" in alert and "Why: " in alert and f"Model: {version}" in alert
    reasons = json.loads(day2[cold][3])
    assert all(r["feature"] in alert for r in reasons)
    assert digest.startswith("📈 Top movers of 2024-06-02")
    first = digest.splitlines()[1]
    assert first.startswith(f"1. Contact {cold}: {day1[cold][0]:.3f} → {day2[cold][0]:.3f}")
    assert "grade A (was D), improving. Why: " in first
    assert "Open leads by grade: A " in digest
    setup.slack.reset()
    setup.ok("slack")  # a rerun of the day sends nothing
    assert setup.slack.requests == []

    # Day 3, nothing new: only the comeback's trend changed (improving -> steady); it is the
    # one contact written. Still grade A: no second alert, only day 3's digest.
    rescored(setup.warehouse, setup.model, "2024-06-03")
    setup.hubspot.reset()
    setup.ok("hubspot")
    assert updated_ids(setup.hubspot) == [cold]
    setup.slack.reset()
    assert "0 lead(s) newly in grade A" in setup.ok("slack")
    texts = [m.body["text"] for m in setup.slack.succeeded()]
    assert len(texts) == 1 and texts[0].startswith("📈 Top movers of 2024-06-03")
    assert "No lead's score rose" in texts[0]

    # Day 4, nothing changed at all: no HubSpot request.
    rescored(setup.warehouse, setup.model, "2024-06-04")
    setup.hubspot.reset()
    assert "no HubSpot call" in setup.ok("hubspot")
    assert setup.hubspot.requests == []


def test_a_push_that_fails_after_some_batches_resumes_without_duplicates(setup: Setup) -> None:
    rescored(setup.warehouse, setup.model, "2024-06-01")
    leads = open_lead_ids(setup.warehouse)
    assert len(leads) > 3 * 40
    # 429 on the first call (waited out), then batch 3 fails for good (both attempts).
    setup.hubspot.fail_at(1, 429, {"Retry-After": "1"})
    setup.hubspot.fail_at(4, 503)
    setup.hubspot.fail_at(5, 503)
    failed = setup.run("hubspot", "--batch-size", "40")
    assert failed.returncode == 1
    assert "batch 3 of" in failed.stderr and "rerun" in failed.stderr
    assert "80 of" in failed.stderr  # two batches acknowledged and recorded
    statuses = [r.status for r in setup.hubspot.requests]
    assert statuses == [429, 200, 200, 503, 503]
    assert setup.hubspot.requests[0].body == setup.hubspot.requests[1].body
    assert len(setup.written()) == 80
    assert (setup.state_dir / "hubspot_outbox.jsonl").exists()

    out = setup.ok("hubspot", "--batch-size", "40")
    assert "resumed an earlier outbox" in out and "no HubSpot call" in out
    assert_each_once(setup.hubspot, leads)
    assert set(setup.written()) == leads
    assert list(setup.state_dir.glob("hubspot_outbox*")) == []


def test_a_killed_push_resumes_without_duplicates(setup: Setup) -> None:
    rescored(setup.warehouse, setup.model, "2024-06-01")
    leads = open_lead_ids(setup.warehouse)
    setup.hubspot.hold_at(3)  # batch 3 hangs: the process is killed while it waits
    process = subprocess.Popen(
        setup.command("hubspot", "--batch-size", "40"),
        cwd=REPO,
        env=setup.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert setup.hubspot.held.wait(timeout=300), "batch 3 never arrived"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        setup.hubspot.release.set()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert len(updated_ids(setup.hubspot)) == 80
    assert setup.written() == {}, "killed before the table advanced"

    out = setup.ok("hubspot", "--batch-size", "40")
    assert "resumed an earlier outbox" in out
    assert_each_once(setup.hubspot, leads)
    assert set(setup.written()) == leads


def test_the_daily_job_by_hand_reports_the_failed_step_and_resumes_from_it(
    setup: Setup,
) -> None:
    env = {**setup.env(), "LEADSCORE_MODEL": str(setup.model)}
    daily = [str(REPO / "scripts/daily_rescore")]
    setup.hubspot.fail_matching("batch/update", 401)
    failed = subprocess.run(
        daily, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert failed.returncode == 1
    report = json.loads(failed.stdout.strip().splitlines()[-1])
    today = report["day"]
    assert report["ok"] is False and report["failed_step"] == "hubspot", report
    assert report["replay"] == {"from": "hubspot", "day": today}
    assert "HTTP 401" in report["error"] and "crm.objects.contacts.write" in report["error"]
    assert set(history_on(setup.warehouse, today)) == open_lead_ids(setup.warehouse)
    assert setup.slack.requests == [], "the job stops at the failed step"

    with setup.hubspot.lock:
        setup.hubspot.failures.clear()
    resumed = subprocess.run(
        [*daily, "--from", "hubspot", "--day", today],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert report["ok"] is True and set(report["steps"]) == {"hubspot", "slack"}, report
    assert_each_once(setup.hubspot, open_lead_ids(setup.warehouse))
    assert [m.body["text"].splitlines()[0] for m in setup.slack.succeeded()] == [
        f"📈 Top movers of {today} (largest score rises since the last rescore)"
    ]


def test_a_lead_back_in_grade_a_is_alerted_again_only_after_the_window(setup: Setup) -> None:
    rescored(setup.warehouse, setup.model, "2024-06-01")
    day1 = history_on(setup.warehouse, "2024-06-01")
    cold = min(day1, key=lambda lead: (day1[lead][0], lead))
    hot = max(day1, key=lambda lead: (day1[lead][0], lead))
    columns = "sessions, engaged_sessions, page_views, is_first_visit, channel"
    (original,) = query(
        setup.warehouse, f"SELECT {columns} FROM {OPEN_LEADS} WHERE lead_id = ?", cold
    )
    (hottest,) = query(
        setup.warehouse, f"SELECT {columns} FROM {OPEN_LEADS} WHERE lead_id = ?", hot
    )

    def features(values: tuple[object, ...]) -> None:
        edit_open_leads(
            setup.warehouse,
            lambda con: con.execute(
                f"UPDATE {OPEN_LEADS} SET sessions = ?, engaged_sessions = ?, page_views = ?, "
                "is_first_visit = ?, channel = ? WHERE lead_id = ?",
                [*values, cold],
            ),
        )

    def alerts_on(day: str, *extra: str) -> list[str]:
        rescored(setup.warehouse, setup.model, day)
        setup.slack.reset()
        setup.ok("slack", *extra)
        return [
            m.body["text"] for m in setup.slack.succeeded() if "reached grade A" in m.body["text"]
        ]

    assert alerts_on("2024-06-01") == []
    features(hottest)
    assert len(alerts_on("2024-06-02")) == 1  # D -> A
    features(original)
    assert alerts_on("2024-06-03") == []  # A -> D
    features(hottest)
    assert alerts_on("2024-06-04") == []  # D -> A again, 2 days after its alert: within 30
    features(original)
    assert alerts_on("2024-06-05") == []
    features(hottest)
    again = alerts_on("2024-06-06", "--alert-window-days", "3")  # its alert was 4 days ago
    assert len(again) == 1 and f"Contact: {cold}" in again[0]
    assert query(
        setup.warehouse, "SELECT day::VARCHAR FROM main.slack_grade_a_alerts ORDER BY day"
    ) == [("2024-06-02",), ("2024-06-06",)]
