-- Every score that left leadscore for a known lead, one row per (recorded_by, lead, time,
-- model version), from whichever of the three records exist in this warehouse:
--   served   the server's score log (leadscore serve --score-log, loaded by
--            scripts/load_duckdb --score-logs into raw.leadscore_score_log); a record with an
--            email but no lead_id is matched to the HubSpot contact with that email
--   batch    main.lead_scores (scripts/score_warehouse)
--   rescore  main.lead_score_history (scripts/rescore), when it exists
-- grade is NULL where the record has none (scores of models trained before grades).
-- model_test_auc: the held-out AUC the model reported at training, where the record
-- carries it (the score log and lead_scores do; a version's promise is shared by all its rows).
-- depends_on: {{ ref('stg_hubspot__contacts') }}
{%- set served = optional_source('leadscore', 'score_log') %}
{%- set batch = optional_source('scoring', 'lead_scores') %}
{%- set rescored = optional_source('rescoring', 'lead_score_history') %}
{%- set float = type_double() %}
{%- set text = dbt.type_string() %}

with empty as (

    select
        cast(null as {{ text }}) as recorded_by,
        cast(null as {{ text }}) as lead_id,
        cast(null as {{ dbt.type_timestamp() }}) as scored_at,
        cast(null as {{ text }}) as model_version,
        cast(null as {{ float }}) as score,
        cast(null as {{ text }}) as grade,
        cast(null as {{ float }}) as model_test_auc
    where 1 = 0

)

select * from empty
{%- if served is not none %}

union all

select
    'served' as recorded_by,
    coalesce(log.lead_id, contacts.contact_id) as lead_id,
    cast(log.scored_at as {{ dbt.type_timestamp() }}) as scored_at,
    log.model_version,
    cast(log.score as {{ float }}) as score,
    cast(log.grade as {{ text }}) as grade,
    cast(log.model_test_auc as {{ float }}) as model_test_auc
from {{ served }} as log
left join {{ ref('stg_hubspot__contacts') }} as contacts
    on log.lead_id is null and lower(contacts.email) = lower(log.email)
where coalesce(log.lead_id, contacts.contact_id) is not null
{%- endif %}
{%- if batch is not none %}

union all

select
    'batch' as recorded_by,
    lead_id,
    cast(scored_at as {{ dbt.type_timestamp() }}) as scored_at,
    model_version,
    cast(score as {{ float }}) as score,
    {{ 'cast(grade as ' ~ text ~ ')' if relation_has_column(batch, 'grade') else 'cast(null as ' ~ text ~ ')' }} as grade,
    {{ 'cast(model_test_auc as ' ~ float ~ ')' if relation_has_column(batch, 'model_test_auc') else 'cast(null as ' ~ float ~ ')' }} as model_test_auc
from {{ batch }}
{%- endif %}
{%- if rescored is not none %}

union all

select
    'rescore' as recorded_by,
    cast(lead_id as {{ text }}) as lead_id,
    cast(scored_at as {{ dbt.type_timestamp() }}) as scored_at,
    cast(model_version as {{ text }}) as model_version,
    cast(score as {{ float }}) as score,
    cast(grade as {{ text }}) as grade,
    cast(null as {{ float }}) as model_test_auc
from {{ rescored }}
{%- endif %}
