-- Last-click channel groups the feature spec does not list are mapped to its unknown value
-- ('Unassigned'). That is GA4's own behaviour, but a whole channel landing there usually
-- means the export and spec/feature_spec.json disagree on a name: warn, do not fail.
{{ config(severity='warn') }}

select
    last_click_channel_group as raw_channel,
    count(*) as sessions
from {{ ref('stg_ga4__sessions') }}
where nullif(trim(last_click_channel_group), '') is not null
    and lower(trim(last_click_channel_group)) <> lower({{ spec_unknown('channel') }})
    and channel = {{ spec_unknown('channel') }}
group by last_click_channel_group
