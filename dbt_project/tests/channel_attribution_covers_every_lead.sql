{{ config(tags=['dashboard']) }}
-- The channel rows add up to the feature mart (every lead in exactly one channel) and to
-- the scored leads of main.lead_scores: a lead lost by a join would shift every share.
with totals as (
    select sum(leads) as leads, sum(scored_leads) as scored_leads, sum(won) as won
    from {{ ref('mart_channel_attribution') }}
)
select totals.*
from totals
where totals.leads <> (select count(*) from {{ ref('fct_lead_scoring_features') }})
   or totals.scored_leads <> (select count(*) from {{ source('scoring', 'lead_scores') }} where not is_open)
   or totals.won <> (select sum(is_won) from {{ ref('fct_lead_scoring_features') }})
