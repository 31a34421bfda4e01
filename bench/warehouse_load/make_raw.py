"""Writes a synthetic raw folder in the shapes of docs/sources.md at a chosen event volume,
with DuckDB only (no event passes through Python): ga4/events_YYYYMMDD.jsonl.gz (one per
day over a year, INT64 as JSON strings, ~0.1 % exact duplicate rows, last-click channel on
half the sessions), hubspot/contacts.jsonl and hubspot/deals.jsonl.

Usage: make_raw.py OUT_DIR [EVENTS] [LEADS]   (defaults: 3,000,000 events, 93,000 leads)
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

SOURCES = "['google', 'google', 'bing', 'facebook.com', 'newsletter', '(direct)', 'partner.example']"
MEDIUMS = "['organic', 'cpc', 'organic', 'referral', 'email', '(none)', 'referral']"
LAST_CLICK = (
    "['Organic Search', 'Paid Search', 'Organic Search', 'Organic Social', 'Email', 'Direct', "
    "'Referral']"
)


def main(out: Path, events: int, leads: int) -> None:
    (out / "ga4").mkdir(parents=True, exist_ok=True)
    (out / "hubspot").mkdir(parents=True, exist_ok=True)
    sessions = events // 5  # session_start, 3 page_views, user_engagement
    users = max(leads * 4, sessions // 2)
    start = 1_704_067_200  # 2024-01-01 00:00:00 UTC
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE s AS
        SELECT
            s AS sid,
            CAST(hash(s) % {users} AS BIGINT) AS u,
            {start} + CAST(hash(s * 7 + 1) % (365 * 86400) AS BIGINT) AS t0,
            CAST(hash(s * 7 + 2) % 7 AS BIGINT) AS src,
            hash(s * 7 + 3) % 2 = 0 AS engaged
        FROM range({sessions}) AS r(s)
    """)
    con.execute("""
        CREATE TABLE e AS
        WITH numbered AS (
            SELECT *, row_number() OVER (PARTITION BY u ORDER BY t0, sid) AS n FROM s
        )
        SELECT
            strftime(to_timestamp(t0 + k * 20), '%Y%m%d') AS event_date,
            CAST((t0 + k * 20) * 1000000 + k AS VARCHAR) AS event_timestamp,
            CASE k WHEN 0 THEN 'session_start' WHEN 4 THEN 'user_engagement' ELSE 'page_view' END
                AS event_name,
            [
                {'key': 'ga_session_id', 'value': {'int_value': CAST(t0 AS VARCHAR), 'string_value': NULL}},
                {'key': 'ga_session_number', 'value': {'int_value': CAST(n AS VARCHAR), 'string_value': NULL}},
                {'key': 'engagement_time_msec', 'value': {'int_value': CAST(CASE WHEN k = 4 THEN 12000 ELSE 0 END AS VARCHAR), 'string_value': NULL}},
                {'key': 'session_engaged', 'value': {'int_value': NULL, 'string_value': CASE WHEN engaged AND k > 0 THEN '1' ELSE '0' END}},
                {'key': 'page_location', 'value': {'int_value': NULL, 'string_value': 'https://shop.example.com/p/' || (sid % 500)}}
            ] AS event_params,
            CAST(1000000000 + u AS VARCHAR) || '.1704067200' AS user_pseudo_id,
            CASE WHEN k = 0 THEN {'manual_source': @SOURCES[src + 1], 'manual_medium': @MEDIUMS[src + 1]} END
                AS collected_traffic_source,
            CASE WHEN sid % 2 = 0 THEN {'cross_channel_campaign': {'default_channel_group': @LAST_CLICK[src + 1]}} END
                AS session_traffic_source_last_click,
            'WEB' AS platform,
            {'category': 'desktop', 'operating_system': 'Windows', 'web_info': {'browser': 'Chrome'}} AS device,
            {'country': 'Brazil', 'region': 'Sao Paulo', 'city': 'Sao Paulo'} AS geo,
            '1234567890' AS stream_id
        FROM numbered, range(5) AS k(k)
    """.replace("@SOURCES", SOURCES).replace("@MEDIUMS", MEDIUMS).replace("@LAST_CLICK", LAST_CLICK))
    # ~0.1 % exact duplicates.
    con.execute("INSERT INTO e SELECT * FROM e USING SAMPLE 0.1 PERCENT (bernoulli, 42)")
    days = [row[0] for row in con.execute("SELECT DISTINCT event_date FROM e ORDER BY 1").fetchall()]
    for day in days:
        con.execute(
            f"COPY (SELECT * FROM e WHERE event_date = '{day}' ORDER BY event_timestamp) "
            f"TO '{out}/ga4/events_{day}.jsonl.gz' (FORMAT json, COMPRESSION gzip)"
        )
    # Contacts: the first `leads` users, created at their second session (or first).
    con.execute(f"""
        CREATE TABLE c AS
        SELECT u, coalesce(min(t0) FILTER (WHERE n = 2), min(t0)) + 30 AS created
        FROM (SELECT *, row_number() OVER (PARTITION BY u ORDER BY t0) AS n FROM s
              WHERE u < {leads})
        GROUP BY u
    """)
    con.execute(f"""
        COPY (SELECT
            CAST(100000 + u AS VARCHAR) AS id,
            {{'createdate': strftime(to_timestamp(created), '%Y-%m-%dT%H:%M:%S.000Z'),
              'email': 'lead' || u || '@example.com',
              'ga_client_id': CAST(1000000000 + u AS VARCHAR) || '.1704067200'}} AS properties,
            strftime(to_timestamp(created), '%Y-%m-%dT%H:%M:%S.000Z') AS createdAt,
            false AS archived
        FROM c ORDER BY u) TO '{out}/hubspot/contacts.jsonl' (FORMAT json)
    """)
    con.execute(f"""
        COPY (SELECT
            CAST(900000 + u AS VARCHAR) AS id,
            {{'dealstage': CASE WHEN hash(u) % 3 = 0 THEN 'closedwon' ELSE 'closedlost' END,
              'closedate': strftime(to_timestamp(created + 86400 * (hash(u) % 120)), '%Y-%m-%dT%H:%M:%S.000Z'),
              'amount': '1000.00', 'pipeline': 'default'}} AS properties,
            {{'contacts': {{'results': [{{'id': CAST(100000 + u AS VARCHAR), 'type': 'deal_to_contact'}}]}}}}
                AS associations
        FROM c WHERE hash(u * 3) % 4 = 0 ORDER BY u) TO '{out}/hubspot/deals.jsonl' (FORMAT json)
    """)
    total = con.execute("SELECT count(*) FROM e").fetchone()
    print(f"wrote {total[0] if total else 0} events in {len(days)} files to {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]), int(args[1]) if len(args) > 1 else 3_000_000,
         int(args[2]) if len(args) > 2 else 93_000)
