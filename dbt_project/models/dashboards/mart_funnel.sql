-- The acquisition funnel, one row per stage in order: every visitor GA4 saw, visitors with
-- an engaged session (> 10 s), engaged visitors who became CRM contacts, and those whose
-- deal closed won. Each stage is a subset of the one before, so counts never grow and the
-- step rates are true conversion rates (a contact who never engaged counts as a lead in the
-- marts but is not part of this funnel: see docs/dashboards.md).
with visitors as (

    select visitor_id, is_engaged, is_contact
    from {{ ref('int_visitors') }}

),

won_visitors as (

    select distinct features.visitor_id
    from {{ ref('fct_lead_scoring_features') }} as features
    where features.is_won = 1

),

stages as (

    select 1 as stage_order, 'visitors' as stage, count(*) as count
    from visitors
    union all
    select 2, 'engaged visitors', count(*) filter (where is_engaged = 1)
    from visitors
    union all
    select 3, 'contacts', count(*) filter (where is_engaged = 1 and is_contact = 1)
    from visitors
    union all
    select 4, 'won', count(*)
    from visitors
    inner join won_visitors using (visitor_id)
    where visitors.is_engaged = 1 and visitors.is_contact = 1

)

select
    stage_order,
    stage,
    cast(count as bigint) as count,
    count / first_value(count) over (order by stage_order) as share_of_visitors,
    coalesce(count / nullif(lag(count) over (order by stage_order), 0), 1.0) as step_rate
from stages
order by stage_order
