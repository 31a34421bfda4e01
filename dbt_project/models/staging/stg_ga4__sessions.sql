-- GA4 sessions, one row per (user_pseudo_id, ga_session_id), however many daily files its
-- events span (a session crossing midnight is one session). GA4's own definitions:
-- engaged = any event carries session_engaged = '1' (GA4 sets it after 10 s of engagement,
-- 2 or more page views, or a key event); page_views = page_view events; engagement = the
-- sum of engagement_time_msec. The channel is GA4's last-click session channel group when
-- the export has it (session_traffic_source_last_click, exports since mid-2024), else
-- derived from the session's source / medium / campaign by default_channel_group(), and
-- mapped onto the feature spec's channel values.
{{ config(materialized='table') }}

with events as (

    select
        user_pseudo_id,
        ga_session_id,
        user_id,
        event_at,
        event_name,
        ga_session_number,
        engagement_time_msec,
        is_session_engaged,
        last_click_channel_group,
        -- The session's traffic source: from its first event that carries one.
        case
            when source is not null or medium is not null or campaign is not null
                or gclid is not null
            then {{ dbt.concat(["coalesce(source, '')", "'\x1f'", "coalesce(medium, '')",
                                "'\x1f'", "coalesce(campaign, '')", "'\x1f'",
                                "coalesce(gclid, '')"]) }}
        end as traffic_source_key,
        source,
        medium,
        campaign,
        gclid
    from {{ ref('stg_ga4__events') }}

),

sessions as (

    select
        user_pseudo_id,
        ga_session_id,
        min(event_at) as session_start,
        max(event_at) as session_end,
        min(ga_session_number) as ga_session_number,
        max(user_id) as user_id,
        count(*) as events,
        sum(case when event_name = 'page_view' then 1 else 0 end) as page_views,
        coalesce(sum(engagement_time_msec), 0) as engagement_time_msec,
        max(case when is_session_engaged then 1 else 0 end) as is_engaged,
        {{ first_value_by('last_click_channel_group', 'event_at') }} as last_click_channel_group,
        {{ first_value_by('traffic_source_key', 'event_at') }} as traffic_source_key
    from events
    group by user_pseudo_id, ga_session_id

),

-- Google's channel rules are dozens of pattern matches: run them once per distinct traffic
-- source (a few hundred at most), not once per session. The key of a session without any
-- source is '' (its parts are all NULL, like the key's).
traffic_sources as (

    select distinct coalesce(traffic_source_key, '') as traffic_source_key
    from sessions

),

traffic_parts as (

    select
        traffic_source_key,
        nullif({{ dbt.split_part('traffic_source_key', "'\x1f'", 1) }}, '') as source,
        nullif({{ dbt.split_part('traffic_source_key', "'\x1f'", 2) }}, '') as medium,
        nullif({{ dbt.split_part('traffic_source_key', "'\x1f'", 3) }}, '') as campaign,
        nullif({{ dbt.split_part('traffic_source_key', "'\x1f'", 4) }}, '') as gclid
    from traffic_sources

),

traffic_channels as (

    select
        traffic_source_key,
        source,
        medium,
        campaign,
        {{ default_channel_group('source', 'medium', 'campaign', 'gclid') }} as derived_channel
    from traffic_parts

),

traffic as (

    select
        sessions.*,
        traffic_channels.source,
        traffic_channels.medium,
        traffic_channels.campaign,
        traffic_channels.derived_channel
    from sessions
    inner join traffic_channels
        on traffic_channels.traffic_source_key = coalesce(sessions.traffic_source_key, '')

)

select
    {{ dbt.concat(['user_pseudo_id', "'-'", 'cast(ga_session_id as ' ~ dbt.type_string() ~ ')']) }}
        as session_id,
    user_pseudo_id,
    ga_session_id,
    user_id,
    session_start,
    session_end,
    ga_session_number,
    events,
    cast(page_views as {{ dbt.type_bigint() }}) as page_views,
    cast(engagement_time_msec as {{ dbt.type_bigint() }}) as engagement_time_msec,
    is_engaged,
    source,
    medium,
    campaign,
    last_click_channel_group,
    {{ normalize_category('coalesce(last_click_channel_group, derived_channel)', 'channel') }}
        as channel,
    case when last_click_channel_group is not null then 'last_click' else 'derived' end
        as channel_from
from traffic
