-- The open leads: created less than horizon_days before the as-of, so whether they will be
-- won is not known yet. The training mart's columns without the label, for scoring; never
-- trained on (their label would be biased towards 0).
{%- set spec = feature_spec() %}

select
{%- for column in spec['columns'] if column != spec['label'] %}
    {{ adapter.quote(column) }},
{%- endfor %}
    visitor_id,
    created_at,
    horizon_ends_at
from {{ ref('int_leads') }}
where not is_training
