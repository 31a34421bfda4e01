-- Raw channel groups the feature spec does not list are mapped to its unknown value
-- ('Unassigned'). That is GA4's own behaviour, but a whole channel landing there usually
-- means the export and spec/feature_spec.json disagree on a name: warn, do not fail.
{{ config(severity='warn') }}

select
    session_default_channel_group as raw_channel,
    count(*) as sessions
from {{ source('raw', 'sessions') }}
where nullif(trim(session_default_channel_group), '') is not null
    and lower(trim(session_default_channel_group)) <> lower({{ spec_unknown('channel') }})
    and {{ normalize_category('session_default_channel_group', 'channel') }}
        = {{ spec_unknown('channel') }}
group by session_default_channel_group
