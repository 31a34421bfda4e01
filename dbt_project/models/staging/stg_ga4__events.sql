-- GA4 events, typed, exact duplicate rows removed (the export repeats a few), with the
-- event parameters and the session's traffic-source fields the mart reads pulled out.
-- A table, not a view: the sessions and the tests read it, and it de-duplicates millions
-- of rows once.
{{ config(materialized='table') }}
{%- set exported_columns = [
    'event_date', 'event_timestamp', 'event_name', 'event_params', 'user_pseudo_id', 'user_id',
    'traffic_source', 'collected_traffic_source', 'session_traffic_source_last_click',
    'platform', 'stream_id',
] %}
{%- set key_hash = leadscore.columns_hash(
    ['user_pseudo_id', 'event_timestamp', 'event_name', 'event_date']) %}

-- Exact duplicates: equal in every exported column (the file they came from aside: a
-- re-export overlapping another file duplicates too). Comparing whole rows means hashing
-- the nested event_params of every event, most of the model's time; duplicates are rare,
-- so only events sharing their browser, time, name and day with another event (a cheap
-- key every duplicate shares, as a hash: one that collides only sends a few more events
-- through the exact comparison) are compared whole. The source is named in each branch, not
-- through a CTE: DuckDB materializes a CTE read three times (a copy of every event). `in`,
-- not a correlated `exists`: DuckDB answers that with a distinct over every event's key
-- first, which ran out of memory at 10M leads (the hash is never NULL, so `not in` is safe).
with shared_keys as (

    {{ leadscore.repeated_values(source('raw', 'ga4_events'), key_hash) }}

),

distinct_events as (

    select {{ exported_columns | join(', ') }}
    from {{ source('raw', 'ga4_events') }}
    where {{ key_hash }} not in (select repeated_value from shared_keys)

    union all

    select distinct {{ exported_columns | join(', ') }}
    from {{ source('raw', 'ga4_events') }}
    where {{ key_hash }} in (select repeated_value from shared_keys)

)

select
    user_pseudo_id,
    user_id,
    {{ ga4_event_param('event_params', 'ga_session_id', 'int') }} as ga_session_id,
    {{ timestamp_from_micros('event_timestamp') }} as event_at,
    event_timestamp as event_timestamp_micros,
    event_date,
    event_name,
    {{ ga4_event_param('event_params', 'ga_session_number', 'int') }} as ga_session_number,
    {{ ga4_event_param('event_params', 'engagement_time_msec', 'int') }} as engagement_time_msec,
    {{ ga4_event_param('event_params', 'session_engaged', 'string') }} = '1' as is_session_engaged,
    {{ ga4_event_param('event_params', 'page_location', 'string') }} as page_location,
    collected_traffic_source.manual_source as source,
    collected_traffic_source.manual_medium as medium,
    collected_traffic_source.manual_campaign_name as campaign,
    collected_traffic_source.gclid as gclid,
    session_traffic_source_last_click.cross_channel_campaign.default_channel_group
        as last_click_channel_group
from distinct_events
