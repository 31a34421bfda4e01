-- One row per recorded score (int_recorded_scores) of a lead the warehouse knows, with the
-- outcome the CRM reported since. The outcome is the model's label (int_leads): closed-won
-- within var('horizon_days') of the lead's creation. A score
--   resolves won   when that win has happened (won_at <= the as-of),
--   resolves lost  when the horizon has passed without it, or when every deal of the lead
--                  is in a closed-lost stage (var('closed_lost_stages')) before the horizon,
--   is open        otherwise (resolved = false; it counts later).
-- Only predictions count: a score recorded once its outcome was already decided (at or
-- after the win, the loss or the horizon's end, e.g. a batch score of a training row) has
-- is_prediction = false and no outcome, so in-sample scores never flatter the model.
with as_of as (

    select as_of from {{ ref('int_as_of') }}

),

deals_by_lead as (

    select
        deal_contacts.contact_id as lead_id,
        count(*) as deals,
        sum(case when deals.dealstage in {{ sql_string_list(var('closed_lost_stages')) }}
            then 1 else 0 end) as lost_deals,
        max(deals.closed_at) as last_closed_at
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals
        on deals.deal_id = deal_contacts.deal_id
    group by deal_contacts.contact_id

),

leads as (

    select
        leads.lead_id,
        leads.won_at,
        leads.horizon_ends_at,
        case
            when leads.won_at is not null then leads.won_at
            when deals.deals > 0 and deals.lost_deals = deals.deals
                and deals.last_closed_at < leads.horizon_ends_at then deals.last_closed_at
            else leads.horizon_ends_at
        end as decided_at
    from {{ ref('int_leads') }} as leads
    left join deals_by_lead as deals on deals.lead_id = leads.lead_id

),

scored as (

    select
        scores.recorded_by,
        scores.lead_id,
        scores.scored_at,
        {{ dbt.date_trunc('week', 'scores.scored_at') }} as scored_week_start,
        scores.model_version,
        scores.score,
        scores.grade,
        max(scores.model_test_auc) over (partition by scores.model_version) as promised_auc,
        leads.won_at,
        leads.decided_at,
        scores.scored_at < leads.decided_at as is_prediction,
        leads.decided_at <= as_of.as_of as is_decided
    from {{ ref('int_recorded_scores') }} as scores
    inner join leads on leads.lead_id = scores.lead_id
    cross join as_of

)

select
    recorded_by,
    lead_id,
    scored_at,
    cast(scored_week_start as date) as scored_week,
    model_version,
    score,
    grade,
    promised_auc,
    is_prediction,
    is_prediction and is_decided as resolved,
    case
        when not (is_prediction and is_decided) then cast(null as {{ dbt.type_int() }})
        when won_at is not null then 1
        else 0
    end as outcome,
    case when is_prediction and is_decided then decided_at end as resolved_at
from scored
