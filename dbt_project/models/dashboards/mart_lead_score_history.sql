-- Every lead's daily score history (scripts/rescore's main.lead_score_history), one row per
-- lead and day, typed the same on every engine, with the change since the lead's previous
-- row. Empty (with these columns) until scripts/rescore has run once: the table does not
-- exist before (macros/optional_relation.sql), and the dashboards say what to run.
{%- set history = optional_source('rescoring', 'lead_score_history') %}
{%- set float = type_double() %}
{%- set text = dbt.type_string() %}

with history as (

{%- if history is not none %}

    select
        cast(lead_id as {{ text }}) as lead_id,
        cast(scored_at as {{ dbt.type_timestamp() }}) as scored_at,
        cast(model_version as {{ text }}) as model_version,
        cast(score as {{ float }}) as score,
        cast(grade as {{ text }}) as grade,
        cast(trend as {{ text }}) as trend,
        cast(reasons as {{ text }}) as reasons,
        cast(alert as boolean) as alert
    from {{ history }}

{%- else %}

    select
        cast(null as {{ text }}) as lead_id,
        cast(null as {{ dbt.type_timestamp() }}) as scored_at,
        cast(null as {{ text }}) as model_version,
        cast(null as {{ float }}) as score,
        cast(null as {{ text }}) as grade,
        cast(null as {{ text }}) as trend,
        cast(null as {{ text }}) as reasons,
        cast(null as boolean) as alert
    where 1 = 0

{%- endif %}

)

select
    lead_id,
    cast(scored_at as date) as scored_on,
    scored_at,
    model_version,
    score,
    grade,
    trend,
    reasons,
    alert,
    score - lag(score) over (partition by lead_id order by scored_at) as score_change
from history
