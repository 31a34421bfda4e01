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
{%- set same_key %}
        select 1 from shared_keys
        where shared_keys.user_pseudo_id = raw_events.user_pseudo_id
            and shared_keys.event_timestamp = raw_events.event_timestamp
            and shared_keys.event_name = raw_events.event_name
            and shared_keys.event_date = raw_events.event_date
{%- endset %}

-- Exact duplicates: equal in every exported column (the file they came from aside: a
-- re-export overlapping another file duplicates too). Comparing whole rows means hashing
-- the nested event_params of every event, most of the model's time; duplicates are rare,
-- so only events sharing their browser, time, name and day with another event (a cheap
-- key every duplicate shares) are compared whole. The source is named in each branch, not
-- through a CTE: DuckDB materializes a CTE read three times (a copy of every event).
with shared_keys as (

    select user_pseudo_id, event_timestamp, event_name, event_date
    from {{ source('raw', 'ga4_events') }} as raw_events
    group by user_pseudo_id, event_timestamp, event_name, event_date
    having count(*) > 1

),

distinct_events as (

    select {{ exported_columns | join(', ') }}
    from {{ source('raw', 'ga4_events') }} as raw_events
    where not exists ({{ same_key }})

    union all

    select distinct {{ exported_columns | join(', ') }}
    from {{ source('raw', 'ga4_events') }} as raw_events
    where exists ({{ same_key }})

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
