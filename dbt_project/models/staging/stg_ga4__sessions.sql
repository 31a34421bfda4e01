-- GA4 sessions, typed, with the channel group mapped onto the feature spec's values.
select
    cast(session_id as varchar) as session_id,
    cast(visitor_id as varchar) as visitor_id,
    cast(session_start as timestamp) as session_start,
    cast(ga_session_number as bigint) as ga_session_number,
    {{ normalize_category('session_default_channel_group', 'channel') }} as channel,
    cast(engagement_time_msec as bigint) as engagement_time_msec,
    cast(page_views as bigint) as page_views,
    engagement_time_msec > {{ var('engaged_session_min_msec') }} as is_engaged
from {{ source('raw', 'sessions') }}
