-- Every lead's daily score history (scripts/rescore's main.lead_score_history), one row per
-- lead and day, typed the same on every engine, with the change since the lead's previous
-- row. Empty (with these columns) until scripts/rescore has run once: the table does not
-- exist before (macros/optional_relation.sql), and the dashboards say what to run.
{%- set history = optional_source('rescoring', 'lead_score_history') %}
{%- set float = type_double() %}
{%- set text = dbt.type_string() %}

{%- set columns = [
    ('lead_id', text),
    ('scored_at', dbt.type_timestamp()),
    ('model_version', text),
    ('score', float),
    ('grade', text),
    ('trend', text),
    ('reasons', text),
    ('alert', 'boolean'),
] %}

with history as (

    select
    {%- for name, type in columns %}
        cast({{ name if history is not none else 'null' }} as {{ type }}) as {{ name }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- if history is not none %}
    from {{ history }}
{%- else %}
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
