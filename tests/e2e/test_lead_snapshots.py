"""Point-in-time snapshots (fct_lead_snapshots) and the open leads as of now, end to end:
scripts/load_duckdb on the hand-made raw data of fixtures/raw_data.py (real DuckDB, real
dbt build with its data tests), rows computed by hand.

A snapshot of a lead at age A (0, 7, 14, 30, 60 days) exists while the lead is open (no
won or lost deal closed by then) and once its horizon has passed by the as-of; it counts
only the sessions that started at or before it, measures recency from it, and is labelled
"won within 90 days after it".
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fixtures.raw_data import (
    EXPECTED_FEATURES_CSV,
    OPEN_LEADS_HEADER,
    V1,
    V8,
    Deal,
    Session,
    valid_raw_data,
)
from test_warehouse import Outputs, load_duckdb

SNAPSHOTS_HEADER = (
    "lead_id,email,channel,sessions,engaged_sessions,page_views,is_first_visit,is_won,"
    "days_since_last_session,days_since_created,visitor_id,created_at,snapshot_age_days,"
    "snapshot_at,last_session_at"
)

# 1001 (created 03-05 10:00, won 03-20 12:00): the 03-10 session counts from age 7 on; no
# snapshot at 30 or 60 days (closed). 1002 (lost 03-18 12:00): ages 0 and 7. 1004 (no GA4
# id, won on day 89): every age, recency = age, won within 90 days of each snapshot.
L1001 = f"1001,lead1001@example.com,Organic Search,{{}},{V1},2024-03-05 10:00:00,{{}}"
L1002 = "1002,lead1002@example.com,Paid Social,{},1000000002.1709596770,2024-03-06 15:30:00,{}"
EXPECTED_ROWS = {
    "1001": [
        L1001.format("3,2,11,1,1,0,0", "0,2024-03-05 10:00:00,2024-03-05 10:00:00"),
        L1001.format("4,3,20,1,1,2,7", "7,2024-03-12 10:00:00,2024-03-10 08:00:00"),
        L1001.format("4,3,20,1,1,9,14", "14,2024-03-19 10:00:00,2024-03-10 08:00:00"),
    ],
    "1002": [
        L1002.format("2,1,3,0,0,0,0", "0,2024-03-06 15:30:00,2024-03-06 15:30:00"),
        L1002.format("2,1,3,0,0,7,7", "7,2024-03-13 15:30:00,2024-03-06 15:30:00"),
    ],
    "1004": [
        f"1004,lead1004@example.com,Unassigned,0,0,0,0,1,{age},{age},,2024-03-09 14:00:00,"
        f"{age},{day} 14:00:00,"
        for age, day in (
            (0, "2024-03-09"),
            (7, "2024-03-16"),
            (14, "2024-03-23"),
            (30, "2024-04-08"),
            (60, "2024-05-08"),
        )
    ],
}


def snapshot_rows(outputs: Outputs) -> dict[str, list[str]]:
    lines = (outputs.folder / "lead_snapshots.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == SNAPSHOTS_HEADER
    rows: dict[str, list[str]] = {}
    for line in lines[1:]:
        rows.setdefault(line.split(",")[0], []).append(line)
    return rows


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snapshots")


@pytest.fixture(scope="module")
def good(work: Path) -> Outputs:
    outputs = Outputs(work / "data_good")
    run = load_duckdb(valid_raw_data().write(work / "raw_good"), outputs, work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "fct_lead_snapshots: 30 point-in-time training rows" in run.stdout
    return outputs


def test_snapshots_hold_the_hand_computed_rows(good: Outputs) -> None:
    rows = snapshot_rows(good)
    for lead, expected in EXPECTED_ROWS.items():
        assert rows[lead] == expected, lead
    # 1008 is young: no snapshot's horizon has passed by the as-of.
    assert "1008" not in rows


def test_every_snapshot_is_open_at_a_listed_age_and_never_sees_a_later_session(
    good: Outputs,
) -> None:
    with (good.folder / "lead_snapshots.csv").open(newline="", encoding="utf-8") as handle:
        snapshots = list(csv.DictReader(handle))
    assert snapshots
    for row in snapshots:
        assert row["snapshot_age_days"] in {"0", "7", "14", "30", "60"}
        assert row["days_since_created"] == row["snapshot_age_days"]
        if row["last_session_at"]:
            assert row["last_session_at"] <= row["snapshot_at"], row


def test_a_session_one_second_after_the_snapshot_does_not_count(work: Path) -> None:
    # V1 comes back one second after its contact was created (the age-0 snapshot): the
    # creation-time features and the age-0 snapshot stay as they were, age 7 counts it.
    data = valid_raw_data()
    visitor = next(v for v in data.visitors if v.pseudo_id == V1)
    visitor.sessions[3].number = 5
    visitor.sessions.insert(3, Session("2024-03-05 10:00:01", 4, page_views=7))
    outputs = Outputs(work / "data_later")
    run = load_duckdb(data.write(work / "raw_later"), outputs, work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert outputs.features.read_text(encoding="utf-8") == EXPECTED_FEATURES_CSV
    rows = snapshot_rows(outputs)
    assert rows["1001"][0] == EXPECTED_ROWS["1001"][0]
    assert rows["1001"][1].startswith("1001,lead1001@example.com,Organic Search,5,3,27,1,1,2,7,")


def test_open_leads_see_their_sessions_up_to_now_and_closed_ones_leave(work: Path) -> None:
    # 1008 comes back on 08-25: as of now (09-01 12:00) it has two sessions, the last 7 days
    # ago. Once its deal closes (won or lost) it is no longer an open lead.
    data = valid_raw_data()
    visitor = next(v for v in data.visitors if v.pseudo_id == V8)
    visitor.sessions.append(Session("2024-08-25 09:00:00", 2, page_views=4))
    outputs = Outputs(work / "data_open")
    run = load_duckdb(data.write(work / "raw_open"), outputs, work)
    assert run.returncode == 0, run.stdout + run.stderr
    assert outputs.open_leads.read_text(encoding="utf-8") == (
        f"{OPEN_LEADS_HEADER}\n1008,lead1008@example.com,Email,2,0,5,1,7,31,{V8},"
        "2024-08-01 10:00:00,2024-10-30 10:00:00,2024-09-01 12:00:00\n"
    )

    for stage in ("closedwon", "closedlost"):
        closed = valid_raw_data()
        closed.deals = [d for d in closed.deals if d.id != "5008"]
        closed.deals.append(Deal("5008", stage, "2024-08-20 10:00:00", ["1008"]))
        outputs = Outputs(work / f"data_{stage}")
        run = load_duckdb(closed.write(work / f"raw_{stage}"), outputs, work)
        assert run.returncode == 0, run.stdout + run.stderr
        assert outputs.open_leads.read_text(encoding="utf-8") == OPEN_LEADS_HEADER + "\n"
        assert "fct_open_leads: 0 open leads" in run.stdout
