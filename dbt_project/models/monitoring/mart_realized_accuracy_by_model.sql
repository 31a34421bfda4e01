-- Realized accuracy per model version over all its resolved predictions, and whether it
-- broke its promise: realized AUC below the promised (test) AUC minus
-- var('realized_auc_margin') over at least var('realized_auc_min_resolved') resolved scores
-- (fewer are noise). The n8n model watch (automation/n8n_model_watch_workflow.json) alerts
-- on is_below_promise; docs/monitoring.md explains the margin and the minimum.
with accuracy as (

    {{ realized_accuracy('(select * from ' ~ ref('fct_score_outcomes') ~ ' where resolved)',
                         ['model_version']) }}

)

select
    accuracy.*,
    promised_auc - realized_auc as auc_shortfall,
    cast({{ var('realized_auc_margin') }} as {{ type_double() }}) as auc_margin,
    {{ var('realized_auc_min_resolved') }} as min_resolved,
    coalesce(
        resolved >= {{ var('realized_auc_min_resolved') }}
            and realized_auc < promised_auc - {{ var('realized_auc_margin') }},
        false
    ) as is_below_promise
from accuracy
