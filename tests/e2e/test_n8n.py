"""The n8n automation end to end: automation/n8n_workflow.json imported into the pinned n8n by
automation/run_n8n.sh, a real `leadscore serve` on a trained model, and loopback stand-ins
for Slack's chat.postMessage and HubSpot's CRM v3 batch upsert that record every request and
fail on demand. Plus a fast static check of the workflow files against the installed n8n.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.mlflow_server import REPO
from fixtures.n8n import N8n, RestartableLeadscore, n8n_instance
from fixtures.saas_standins import Recorded, StandIn, slack_and_hubspot

log = logging.getLogger(__name__)

WORKFLOWS = sorted((REPO / "automation").glob("n8n_*.json"))
NODES_BASE = REPO / "automation/node_modules/n8n-nodes-base/dist/types/nodes.json"
API_KEY = "test-api-key-for-n8n"
CHANNELS = [
    "Direct",
    "Organic Search",
    "Paid Search",
    "Paid Social",
    "Email",
    "Referral",
    "Display",
    "Unassigned",
]


# --- static checks (no n8n process) ------------------------------------------------------


@pytest.fixture(scope="module")
def installed_node_versions() -> dict[str, set[float]]:
    """Every node type of the pinned n8n-nodes-base with the type versions it implements."""
    if not NODES_BASE.exists():
        subprocess_run([str(REPO / "automation/install_n8n.sh")])
    versions: dict[str, set[float]] = {}
    for description in json.loads(NODES_BASE.read_text()):
        declared = description["version"]
        for version in declared if isinstance(declared, list) else [declared]:
            versions.setdefault(f"n8n-nodes-base.{description['name']}", set()).add(float(version))
    return versions


def subprocess_run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_nodes_exist_in_the_pinned_n8n_and_are_all_connected(
    path: Path, installed_node_versions: dict[str, set[float]]
) -> None:
    workflow = json.loads(path.read_text())
    nodes = {node["name"]: node for node in workflow["nodes"]}
    assert len(nodes) == len(workflow["nodes"]), "node names must be unique"
    for node in nodes.values():
        known = installed_node_versions.get(node["type"])
        assert known, f"{path.name}: node {node['name']!r} has unknown type {node['type']}"
        assert float(node["typeVersion"]) in known, (
            f"{path.name}: {node['name']!r} {node['type']} v{node['typeVersion']} not in {known}"
        )
    targets: set[str] = set()
    for source, outputs in workflow["connections"].items():
        assert source in nodes, f"{path.name}: connection from unknown node {source!r}"
        for output in outputs["main"]:
            for link in output:
                assert link["node"] in nodes, f"{path.name}: link to unknown node {link['node']!r}"
                targets.add(link["node"])
    triggers = {
        name
        for name, node in nodes.items()
        if node["type"].endswith(("webhook", "manualTrigger", "scheduleTrigger"))
    }
    # One trigger, or (the daily rescore) a schedule and the webhook that runs it on demand.
    kinds = sorted(nodes[name]["type"].rsplit(".", 1)[-1] for name in triggers)
    assert len(triggers) == 1 or kinds == ["scheduleTrigger", "webhook"], (
        f"{path.name}: one trigger expected, got {triggers}"
    )
    assert set(nodes) - targets == triggers, (
        f"{path.name}: unreachable {set(nodes) - targets - triggers}"
    )
    sources = set(workflow["connections"])
    ends = {
        name
        for name, node in nodes.items()
        if node["type"].endswith(("noOp", "respondToWebhook", "dataTable"))
    }
    assert set(nodes) - sources <= ends, f"{path.name}: dead ends {set(nodes) - sources - ends}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_holds_no_secret_or_machine_specific_url(path: Path) -> None:
    text = path.read_text()
    for needle in ("127.0.0.1", "xoxb-", "xoxp-", "pat-na", "Bearer ", 'X-API-Key": "'):
        assert needle not in text, f"{path.name} contains {needle!r}"
    for node in json.loads(text)["nodes"]:
        for credential in node.get("credentials", {}).values():
            assert set(credential) == {"id", "name"}, f"{node['name']}: {credential}"


def test_seed_node_names_are_kept() -> None:
    names = {
        node["name"]
        for node in json.loads((REPO / "automation/n8n_workflow.json").read_text())["nodes"]
    }
    assert {"Contact Hook", "ML Score API", "High Score?", "Slack Alert"} <= names


# --- the running system ------------------------------------------------------------------


@dataclass(frozen=True)
class System:
    n8n: N8n
    leadscore: RestartableLeadscore
    slack: StandIn
    hubspot: StandIn
    high_lead: dict[str, Any]  # features whose score alerts (grade A or above the threshold)
    low_lead: dict[str, Any]

    def score(self, leads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The server's explained scores: score, label, grade, alert, reasons..."""
        answer = requests.post(
            f"{self.leadscore.url}/score/batch?explain=true",
            json={"leads": leads},
            headers={"X-API-Key": API_KEY},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return list(answer.json()["scores"])


def candidate_leads() -> list[dict[str, Any]]:
    """A grid over the input space, heavy on engaged, returning, many-page visitors."""
    leads = []
    for sessions in (1, 3, 6, 10, 15, 20, 30, 40, 60):
        for engaged_share in (0.5, 1.0):
            for page_views in (5, 20, 50, 100, 200, 400):
                for channel in CHANNELS:
                    for first in (False, True):
                        leads.append(
                            {
                                "sessions": sessions,
                                "engaged_sessions": int(sessions * engaged_share),
                                "page_views": page_views,
                                "channel": channel,
                                "is_first_visit": first,
                            }
                        )
    return leads


@pytest.fixture(scope="module")
def system(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    root = tmp_path_factory.mktemp("n8n")
    leadscore = RestartableLeadscore(model=models["channel"], log_dir=root, api_key=API_KEY)
    leadscore.start()
    try:
        # Who is alerted is the server's verdict (`alert`: grade A, or a score above its
        # LEADSCORE_ALERT_THRESHOLD, the one place the rule is set); the workflow only reads it.
        # The best candidate is grade A, the lowest is not.
        leads = candidate_leads()
        answer = requests.post(
            f"{leadscore.url}/score/batch?explain=true",
            json={"leads": leads},
            headers={"X-API-Key": API_KEY},
            timeout=60,
        )
        scored = answer.json()["scores"]
        ranked = sorted(range(len(leads)), key=lambda i: scored[i]["score"], reverse=True)
        best, low = ranked[0], ranked[-1]
        assert scored[best]["grade"] == "A" and scored[best]["alert"], scored[best]
        assert not scored[low]["alert"], scored[low]
        log.info(
            "best candidate scores %.4f (grade A), lowest %.4f (grade %s)",
            scored[best]["score"],
            scored[low]["score"],
            scored[low]["grade"],
        )
        with slack_and_hubspot() as (slack, hubspot):
            env = {
                "LEADSCORE_URL": leadscore.url,
                "LEADSCORE_API_KEY": API_KEY,
                "SLACK_API_URL": slack.url,
                "SLACK_BOT_TOKEN": slack.token,
                "SLACK_CHANNEL": "#sales-notifications",
                "HUBSPOT_API_URL": hubspot.url,
                "HUBSPOT_TOKEN": hubspot.token,
            }
            with n8n_instance(root / "n8n-home", env) as n8n:
                yield System(
                    n8n=n8n,
                    leadscore=leadscore,
                    slack=slack,
                    hubspot=hubspot,
                    high_lead=leads[best],
                    low_lead=leads[low],
                )
    finally:
        leadscore.stop()


def new_email() -> str:
    return f"lead-{uuid.uuid4().hex[:12]}@example.com"


def upserts_for(hubspot: StandIn, email: str) -> list[dict[str, Any]]:
    return [item for r in hubspot.succeeded() for item in r.body["inputs"] if item["id"] == email]


def alerts_for(slack: StandIn, email: str) -> list[Recorded]:
    return [r for r in slack.succeeded() if f"Email: {email}\n" in r.body["text"]]


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, n8n: N8n | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = n8n.log_text()[-3000:] if n8n else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")
        time.sleep(0.1)


def post(system: System, lead: dict[str, Any]) -> None:
    answer = system.n8n.post_lead(lead)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "accepted", "email": lead["email"].strip().lower()}


def test_high_intent_lead_alerts_slack_once_and_updates_hubspot(system: System) -> None:
    email = new_email()
    post(system, {"email": email, "contact_id": "901", **system.high_lead})
    wait_for(
        lambda: upserts_for(system.hubspot, email) and alerts_for(system.slack, email),
        60,
        "HubSpot update and Slack alert",
        system.n8n,
    )
    (scored,) = system.score([system.high_lead])
    assert scored["alert"]
    score = scored["score"]
    (upsert,) = upserts_for(system.hubspot, email)
    assert upsert["idProperty"] == "email"
    # The lead workflow's three properties (grade and trend are the daily rescore's).
    assert set(upsert["properties"]) == {
        "leadscore_score",
        "leadscore_label",
        "leadscore_model_version",
    }
    assert float(upsert["properties"]["leadscore_score"]) == pytest.approx(score)
    assert upsert["properties"]["leadscore_label"] in ("high", "low")
    (alert,) = alerts_for(system.slack, email)
    assert alert.headers["authorization"] == f"Bearer {system.slack.token}"
    assert alert.body["channel"] == "#sales-notifications"
    text = alert.body["text"]
    assert text.startswith("🚀 High Value Lead Found!")
    assert f"Score: {score:.3f} (grade {scored['grade']})" in text
    assert system.high_lead["channel"] in text
    assert "Why: " in text and ("(raises)" in text or "(lowers)" in text)
    time.sleep(2)
    assert len(alerts_for(system.slack, email)) == 1


def test_low_lead_updates_hubspot_without_alert(system: System) -> None:
    email = new_email()
    post(system, {"email": email, **system.low_lead})
    wait_for(lambda: upserts_for(system.hubspot, email), 60, "HubSpot update", system.n8n)
    (scored,) = system.score([system.low_lead])
    assert not scored["alert"]
    score = scored["score"]
    (upsert,) = upserts_for(system.hubspot, email)
    assert upsert["properties"]["leadscore_label"] == "low"
    assert float(upsert["properties"]["leadscore_score"]) == pytest.approx(score)
    time.sleep(2)
    assert alerts_for(system.slack, email) == []


@pytest.mark.parametrize(
    "payload, field",
    [
        (
            {
                "sessions": 3,
                "engaged_sessions": 1,
                "page_views": 4,
                "channel": "Email",
                "is_first_visit": False,
            },
            "email",
        ),
        (
            {
                "email": "not-an-email",
                "sessions": 3,
                "engaged_sessions": 1,
                "page_views": 4,
                "channel": "Email",
                "is_first_visit": False,
            },
            "email",
        ),
        (
            {
                "email": "a@example.com",
                "sessions": -1,
                "engaged_sessions": 0,
                "page_views": 4,
                "channel": "Email",
                "is_first_visit": False,
            },
            "sessions",
        ),
        (
            {
                "email": "a@example.com",
                "sessions": 3,
                "engaged_sessions": 5,
                "page_views": 4,
                "channel": "Email",
                "is_first_visit": False,
            },
            "engaged_sessions",
        ),
        (
            {
                "email": "a@example.com",
                "sessions": 3,
                "engaged_sessions": 1,
                "page_views": "4",
                "channel": "Email",
                "is_first_visit": False,
            },
            "page_views",
        ),
        (
            {
                "email": "a@example.com",
                "sessions": 3,
                "engaged_sessions": 1,
                "page_views": 4.5,
                "channel": "Email",
                "is_first_visit": False,
            },
            "page_views",
        ),
        (
            {
                "email": "a@example.com",
                "sessions": 3,
                "engaged_sessions": 1,
                "page_views": 4,
                "channel": "Email",
                "is_first_visit": "no",
            },
            "is_first_visit",
        ),
        ([1, 2, 3], "body"),
    ],
)
def test_bad_payload_is_answered_400_and_nothing_is_sent(
    system: System, payload: Any, field: str
) -> None:
    before = (len(system.slack.requests), len(system.hubspot.requests))
    answer = system.n8n.post_lead(payload)
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert any(d["loc"] == ["body", field] for d in detail), detail
    time.sleep(1)
    assert (len(system.slack.requests), len(system.hubspot.requests)) == before


def test_webhook_requires_the_token(system: System) -> None:
    before = (len(system.slack.requests), len(system.hubspot.requests))
    answer = system.n8n.post_lead({"email": new_email(), **system.high_lead}, token="wrong")
    assert answer.status_code == 403
    assert (len(system.slack.requests), len(system.hubspot.requests)) == before


def test_same_lead_twice_alerts_once(system: System) -> None:
    email = new_email()
    # Twice at once (both claims race), then once more after the first alert went out.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: post(system, {"email": email, **system.high_lead}), range(2)))
    wait_for(
        lambda: len(upserts_for(system.hubspot, email)) == 2, 60, "two HubSpot updates", system.n8n
    )
    post(system, {"email": email.upper(), **system.high_lead})
    wait_for(
        lambda: len(upserts_for(system.hubspot, email)) == 3, 60, "third HubSpot update", system.n8n
    )
    time.sleep(2)
    assert len(alerts_for(system.slack, email)) == 1


def test_slack_429_is_retried_after_retry_after(system: System) -> None:
    email = new_email()
    system.slack.fail_next(1, 429, {"Retry-After": "2"}, {"ok": False, "error": "ratelimited"})
    post(system, {"email": email, **system.high_lead})
    wait_for(lambda: alerts_for(system.slack, email), 60, "Slack alert after 429", system.n8n)
    limited = [r for r in system.slack.requests if r.status == 429]
    (alert,) = alerts_for(system.slack, email)
    assert limited and alert.at - limited[-1].at >= 2.0


def test_hubspot_429_is_retried_after_retry_after(system: System) -> None:
    email = new_email()
    system.hubspot.fail_next(
        1,
        429,
        {"Retry-After": "2"},
        {
            "status": "error",
            "message": "You have reached your secondly limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "SECONDLY",
        },
    )
    post(system, {"email": email, **system.low_lead})
    wait_for(lambda: upserts_for(system.hubspot, email), 60, "HubSpot update after 429", system.n8n)
    limited = [r for r in system.hubspot.requests if r.status == 429]
    (update,) = [
        r for r in system.hubspot.succeeded() if any(i["id"] == email for i in r.body["inputs"])
    ]
    assert limited and update.at - limited[-1].at >= 2.0


def test_slack_refusal_keeps_the_lead_and_replay_alerts_once(system: System) -> None:
    # Slack refuses with HTTP 200 and ok: false (here: the bot is not in the channel).
    email = new_email()
    system.slack.fail_next(1, 200, {}, {"ok": False, "error": "not_in_channel"})
    post(system, {"email": email, **system.high_lead})
    wait_for(
        lambda: any(
            r["email"] == email and r["stage"] == "slack"
            for r in system.n8n.data_table_rows("leadscore_dead_letters")
        ),
        60,
        "the refused alert in the dead-letter table",
        system.n8n,
    )
    assert "not_in_channel" in next(
        r["error"]
        for r in system.n8n.data_table_rows("leadscore_dead_letters")
        if r["email"] == email
    )
    assert len(upserts_for(system.hubspot, email)) == 1 and alerts_for(system.slack, email) == []
    # The claim was released, so the replay alerts; replaying again changes nothing.
    wait_for(
        lambda: (
            not any(
                r["email"] == email for r in system.n8n.data_table_rows("leadscore_slack_alerts")
            )
        ),
        30,
        "the claim released",
        system.n8n,
    )
    report = system.n8n.replay()
    assert email in report["emails"], report
    wait_for(lambda: alerts_for(system.slack, email), 60, "the alert after replay", system.n8n)
    wait_for(lambda: len(upserts_for(system.hubspot, email)) == 2, 60, "second upsert", system.n8n)
    assert system.n8n.replay()["replayed"] == 0
    time.sleep(2)
    assert len(alerts_for(system.slack, email)) == 1


def test_leadscore_down_then_back_within_retries_is_delivered(system: System) -> None:
    email = new_email()
    system.leadscore.stop()
    try:
        post(system, {"email": email, **system.low_lead})
        time.sleep(6)  # n8n retries every 5 s, 5 tries
        assert upserts_for(system.hubspot, email) == []
    finally:
        system.leadscore.start()
    wait_for(
        lambda: upserts_for(system.hubspot, email), 60, "HubSpot update after restart", system.n8n
    )


def test_leadscore_down_for_good_keeps_the_lead_and_replay_delivers(system: System) -> None:
    email = new_email()
    system.leadscore.stop()
    try:
        post(system, {"email": email, **system.high_lead})
        wait_for(
            lambda: any(
                r["email"] == email for r in system.n8n.data_table_rows("leadscore_dead_letters")
            ),
            90,
            "the lead in the dead-letter table",
            system.n8n,
        )
        (row,) = [
            r for r in system.n8n.data_table_rows("leadscore_dead_letters") if r["email"] == email
        ]
        assert row["stage"] == "score"
        assert json.loads(row["lead"])["email"] == email
        assert upserts_for(system.hubspot, email) == [] and alerts_for(system.slack, email) == []
    finally:
        system.leadscore.start()
    report = system.n8n.replay()
    assert email in report["emails"] and report["failed"] == 0, report
    wait_for(
        lambda: upserts_for(system.hubspot, email) and alerts_for(system.slack, email),
        60,
        "delivery after replay",
        system.n8n,
    )
    assert not any(
        r["email"] == email for r in system.n8n.data_table_rows("leadscore_dead_letters")
    )
    assert system.n8n.replay()["replayed"] == 0


def test_burst_of_200_leads_loses_and_duplicates_nothing(system: System) -> None:
    leads = []
    for i in range(200):
        features = (
            system.high_lead
            if i % 10 == 0
            else {
                "sessions": 1 + i % 7,
                "engaged_sessions": i % 2,
                "page_views": 2 + i % 13,
                "channel": CHANNELS[i % len(CHANNELS)],
                "is_first_visit": i % 3 == 0,
            }
        )
        leads.append({"email": new_email(), **features})
    scores = system.score([{k: v for k, v in lead.items() if k != "email"} for lead in leads])
    expected_alerts = {lead["email"] for lead, s in zip(leads, scores, strict=True) if s["alert"]}
    assert len(expected_alerts) >= 20
    emails = {lead["email"] for lead in leads}
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(system.n8n.post_lead, leads))
    assert [a.status_code for a in answers] == [202] * 200

    def updated() -> list[str]:
        return [
            i["id"]
            for r in system.hubspot.succeeded()
            for i in r.body["inputs"]
            if i["id"] in emails
        ]

    wait_for(lambda: len(set(updated())) == 200, 240, "200 HubSpot updates", system.n8n)
    wait_for(
        lambda: (
            sum(len(alerts_for(system.slack, e)) for e in expected_alerts) == len(expected_alerts)
        ),
        120,
        "the alerts",
        system.n8n,
    )
    log.info("burst of 200 leads delivered in %.1f s", time.monotonic() - started)
    time.sleep(3)
    assert sorted(updated()) == sorted(emails)  # each exactly once
    alerted = [e for e in emails for _ in alerts_for(system.slack, e)]
    assert sorted(alerted) == sorted(expected_alerts)
