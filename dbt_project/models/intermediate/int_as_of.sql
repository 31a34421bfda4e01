-- The build's moment, one row: var('as_of') (scripts/load_duckdb --as-of) when given, else
-- the latest event in the export. Leads are as known then: created at or before it, won if
-- a deal closed won within the horizon, a training row only once the horizon has passed.
{%- if var('as_of') %}
select
    cast({{ sql_string(var('as_of')) }} as {{ dbt.type_timestamp() }}) as as_of,
    'var' as as_of_from
{%- else %}
select
    max(event_at) as as_of,
    'latest event' as as_of_from
from {{ ref('stg_ga4__events') }}
{%- endif %}
