-- The training mart: one row per lead whose label horizon has passed (int_leads), with the
-- features of spec/feature_spec.json and the label. The final select lists the spec's
-- `columns` in their order, so the exported CSV matches the contract; a column added to
-- the spec but not computed in int_leads fails the build.
{%- set spec = feature_spec() %}

select
{%- for column in spec['columns'] %}
    {{ adapter.quote(column) }},
{%- endfor %}
    visitor_id,
    created_at
from {{ ref('int_leads') }}
where is_training
