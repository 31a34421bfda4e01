-- The point-in-time training mart: one row per (lead, snapshot age) taken while the lead
-- was still open and whose horizon has passed (int_lead_snapshots), so a training row means
-- what a scoring row means: a lead as it looks at some age, and whether it is won within
-- the horizon from then. The spec's columns in order (as in fct_lead_scoring_features),
-- then the spec's features that are not columns of the DESIGN table (recency), then extras.

select
{%- for column in spec_mart_columns() %}
    {{ adapter.quote(column) }},
{%- endfor %}
    visitor_id,
    created_at,
    snapshot_age_days,
    snapshot_at,
    last_session_at
from {{ ref('int_lead_snapshots') }}
where is_open and is_training
