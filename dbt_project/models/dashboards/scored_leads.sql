-- One row per lead of the feature mart with the champion's score from main.lead_scores
-- (NULL score until scripts/score_warehouse has scored it): what the dashboard marts and
-- the semantic model `scored_leads` (models/metrics/metrics.yml) aggregate.
select
    features.lead_id,
    features.visitor_id,
    features.channel,
    features.is_won,
    features.created_at,
    scores.score,
    scores.label,
    case when scores.label = 'high' then 1 else 0 end as is_high,
    scores.model_version,
    scores.scored_at
from {{ ref('fct_lead_scoring_features') }} as features
left join {{ source('scoring', 'lead_scores') }} as scores
    on scores.lead_id = features.lead_id
