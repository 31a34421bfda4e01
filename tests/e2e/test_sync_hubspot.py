"""`leadscore sync hubspot` against a loopback HubSpot stand-in (fixtures/saas_standins.py):
full pulls across pages, incremental runs through the search endpoint, Retry-After, retries,
all-or-nothing output on failure, the missing-token message, and the docs' shapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.leadscore_server import BINARY
from fixtures.mlflow_server import REPO
from fixtures.saas_standins import CrmPortal, StandIn, hubspot_crm

CONTACT_PROPERTIES = ["email", "createdate", "lastmodifieddate", "ga_client_id"]
DEAL_PROPERTIES = ["dealstage", "closedate", "amount", "pipeline", "dealname", "createdate",
                   "hs_lastmodifieddate"]
BASE_MS = 1496275200000  # 2017-06-01T00:00:00Z
HOUR_MS = 3_600_000
STAGES = ["closedwon", "closedlost", "appointmentscheduled", "contractsent"]


def make_portal(contacts: int = 250, deals: int = 120) -> CrmPortal:
    """Contacts with ids of 2 to 4 digits (numeric order differs from text order); deals
    mostly with one contact, one with 150 (its associations come in pages), some with none."""
    portal = CrmPortal()
    contact_ids = [str(7 + 13 * i) for i in range(contacts)]
    for n, cid in enumerate(contact_ids):
        created = BASE_MS + n * HOUR_MS
        portal.put("contacts", cid, {
            "email": f"lead{cid}@example.com",
            "ga_client_id": None if n % 10 == 0 else f"{1289374650 + n}.{created // 1000}",
        }, created, created + 6_118)
    for n in range(deals):
        did = str(5001 + n)
        created = BASE_MS + n * HOUR_MS + 600_000
        stage = STAGES[n % len(STAGES)]
        closed = stage.startswith("closed")
        portal.put("deals", did, {
            "amount": None if n % 7 == 0 else f"{1000 + 25 * n}.00",
            "closedate": "2017-07-01T09:00:00Z" if closed else None,
            "dealname": f"Lead {contact_ids[n]}", "dealstage": stage, "pipeline": "default",
        }, created, created + 1_000)
        if n == 3:
            portal.deal_contacts[did] = contact_ids[:150]
        elif n % 11 != 5:
            portal.deal_contacts[did] = [contact_ids[n]]
    return portal


def sync(hubspot: StandIn | None, out: Path, *args: str, token: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "LEADSCORE_"))}
    if hubspot is not None:
        env["HUBSPOT_API_URL"] = hubspot.url
        env["HUBSPOT_TOKEN"] = token if token is not None else hubspot.token
    return subprocess.run([str(BINARY), "sync", "hubspot", "--out", str(out),
                           "--retry-backoff-ms", "50", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def portal() -> CrmPortal:
    return make_portal()


@pytest.fixture
def hubspot(portal: CrmPortal) -> Iterator[StandIn]:
    with hubspot_crm(portal) as stand_in:
        yield stand_in


def test_full_sync_writes_the_portal_one_object_per_line_sorted_by_id(
        portal: CrmPortal, hubspot: StandIn, tmp_path: Path) -> None:
    out = ok(sync(hubspot, tmp_path))
    folder = tmp_path / "hubspot"
    contacts, deals = lines(folder / "contacts.jsonl"), lines(folder / "deals.jsonl")
    assert len(contacts) == 250 and len(deals) == 120
    # Byte for byte what the list endpoint returns (key order included), sorted numerically.
    assert contacts == portal.expected_lines("contacts", CONTACT_PROPERTIES)
    assert deals == portal.expected_lines("deals", DEAL_PROPERTIES)
    ids = [json.loads(line)["id"] for line in contacts]
    assert ids == sorted(ids, key=int) and ids != sorted(ids)
    big = json.loads(deals[3])["associations"]["contacts"]["results"]
    assert len(big) == 150 and "paging" not in json.loads(deals[3])["associations"]["contacts"]
    assert "associations" not in json.loads(deals[5])  # no contacts, as HubSpot omits it
    # 3 contact pages, 2 deal pages, 2 batch reads for the deal whose contacts are paged.
    paths = [r.path.split("?")[0] for r in hubspot.requests]
    assert paths.count("/crm/v3/objects/contacts") == 3
    assert paths.count("/crm/v3/objects/deals") == 2
    assert paths.count("/crm/v4/associations/deals/contacts/batch/read") == 2
    assert all(r.headers["authorization"] == f"Bearer {hubspot.token}" for r in hubspot.requests)
    assert "contacts: 250 pulled, 250 new" in out and "deals: 120 pulled, 120 new" in out
    assert f"{len(hubspot.requests)} requests" in out
    state = json.loads((folder / ".sync-state.json").read_text())
    assert state["contacts"] == {"high_water_mark": portal.objects["contacts"]["3244"][
        "properties"]["lastmodifieddate"], "count": 250}


def test_incremental_sync_fetches_only_what_changed(portal: CrmPortal, hubspot: StandIn,
                                                    tmp_path: Path) -> None:
    ok(sync(hubspot, tmp_path))
    full_requests = len(hubspot.requests)
    hubspot.requests.clear()
    portal.modify("contacts", "20", email="changed@example.com")
    portal.put("deals", "9001", {"amount": "10.00", "closedate": None, "dealname": "New",
                                 "dealstage": "qualifiedtobuy", "pipeline": "default"},
               1700000000000, 1700000000000)
    portal.deal_contacts["9001"] = ["20", "33"]
    portal.archive("contacts", "46")

    out = ok(sync(hubspot, tmp_path))
    assert "incremental sync" in out
    # The overlap re-reads the newest object of the previous sync (unchanged) too.
    assert "contacts: 2 pulled, 0 new, 1 updated, 1 unchanged, 1 removed; 249 in the file" in out
    assert "deals: 2 pulled, 1 new, 0 updated, 1 unchanged, 0 removed; 121 in the file" in out
    folder = tmp_path / "hubspot"
    assert lines(folder / "contacts.jsonl") == portal.expected_lines("contacts",
                                                                     CONTACT_PROPERTIES)
    assert lines(folder / "deals.jsonl") == portal.expected_lines("deals", DEAL_PROPERTIES)
    searches = [r for r in hubspot.requests if r.path.endswith("/search")]
    assert len(searches) == 2
    (contact_filter,) = searches[0].body["filterGroups"][0]["filters"]
    assert contact_filter["propertyName"] == "lastmodifieddate"
    assert contact_filter["operator"] == "GTE"
    assert searches[0].body["sorts"] == [{"propertyName": "lastmodifieddate",
                                          "direction": "ASCENDING"}]
    # 2 searches, 2 archived lists, 1 associations read: far fewer than the full pull.
    assert len(hubspot.requests) == 5 < full_requests


def test_rate_limit_429_waits_retry_after(hubspot: StandIn, tmp_path: Path) -> None:
    hubspot.fail_at(2, 429, {"Retry-After": "1"},
                    {"status": "error", "message": "You have reached your ten_secondly_rolling "
                     "limit.", "category": "RATE_LIMITS", "policyName": "TEN_SECONDLY_ROLLING"})
    out = ok(sync(hubspot, tmp_path))
    assert "(1 rate-limited, 0 retried)" in out
    limited = [i for i, r in enumerate(hubspot.requests) if r.status == 429]
    assert limited == [1]
    waited = hubspot.requests[2].at - hubspot.requests[1].at
    assert waited >= 1.0, waited
    assert hubspot.requests[2].path == hubspot.requests[1].path  # the same page again
    assert len(lines(tmp_path / "hubspot/contacts.jsonl")) == 250


def test_server_errors_are_retried(hubspot: StandIn, tmp_path: Path) -> None:
    hubspot.fail_next(2, 502, body={"status": "error", "message": "Bad gateway"})
    out = ok(sync(hubspot, tmp_path))
    assert "(0 rate-limited, 2 retried)" in out
    assert [r.status for r in hubspot.requests[:3]] == [502, 502, 200]
    assert len(lines(tmp_path / "hubspot/deals.jsonl")) == 120


def test_a_page_failing_for_good_leaves_previous_files_and_state(
        portal: CrmPortal, hubspot: StandIn, tmp_path: Path) -> None:
    ok(sync(hubspot, tmp_path))
    before = snapshot(tmp_path / "hubspot")
    portal.modify("contacts", "20", email="changed@example.com")
    hubspot.requests.clear()
    # The second deals page (from deal 5101) answers 500 every time.
    hubspot.fail_matching("after=5101", 500, {
        "status": "error", "message": "internal error", "category": "INTERNAL_ERROR",
        "correlationId": "0b5c8b8e-2f1d-4c27-9b3b-3c1f4a1e2d3f"})
    result = sync(hubspot, tmp_path, "--full", "--attempts", "5")
    assert result.returncode == 1
    message = result.stderr
    assert "previous files kept" in message
    assert re.search(r"deals page 2: HubSpot GET /crm/v3/objects/deals\?\S*after=5101: "
                     r"HTTP 500: internal error \[category INTERNAL_ERROR, correlationId "
                     r"0b5c8b8e-2f1d-4c27-9b3b-3c1f4a1e2d3f\] \(gave up after 5 attempts\)",
                     message), message
    assert sum(1 for r in hubspot.requests if "after=5101" in r.path) == 5
    assert snapshot(tmp_path / "hubspot") == before  # no temporaries either


def test_missing_token_says_how_to_get_one(tmp_path: Path) -> None:
    result = sync(None, tmp_path)
    assert result.returncode == 1
    assert "HUBSPOT_TOKEN is not set" in result.stderr
    assert "private app" in result.stderr
    assert "crm.objects.contacts.read" in result.stderr
    assert "crm.objects.deals.read" in result.stderr
    assert not (tmp_path / "hubspot/contacts.jsonl").exists()


def test_a_rejected_token_fails_at_once(hubspot: StandIn, tmp_path: Path) -> None:
    result = sync(hubspot, tmp_path, token="pat-wrong")
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and "check HUBSPOT_TOKEN" in result.stderr
    assert len(hubspot.requests) == 1


def doc_example(heading: str) -> dict:
    """The JSON example under `heading` in docs/sources.md."""
    text = (REPO / "docs/sources.md").read_text()
    section = text[text.index(heading):]
    return json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])


def keys(value: object) -> object:
    """The nested key structure of a JSON value (lists by their first element)."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return None


def test_output_has_the_shapes_docs_sources_md_describes(hubspot: StandIn,
                                                        tmp_path: Path) -> None:
    ok(sync(hubspot, tmp_path))
    contact = json.loads(lines(tmp_path / "hubspot/contacts.jsonl")[1])
    deal = json.loads(lines(tmp_path / "hubspot/deals.jsonl")[0])
    assert keys(contact) == keys(doc_example("### HubSpot contacts"))
    assert keys(deal) == keys(doc_example("### HubSpot deals"))
    assert list(contact) == list(doc_example("### HubSpot contacts"))
    assert list(deal) == list(doc_example("### HubSpot deals"))
