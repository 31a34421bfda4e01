-- Every contact created at or before the as-of is in exactly one of the training mart and
-- the open leads, except a young lead already closed (a won or lost deal closed at or
-- before the as-of), which is in neither: nothing is left to score and its label is not
-- final yet. None created after the as-of is in either.
with as_of as (
    select as_of from {{ ref('int_as_of') }}
),

placed as (
    select lead_id, 1 as training, 0 as open_lead from {{ ref('fct_lead_scoring_features') }}
    union all
    select lead_id, 0, 1 from {{ ref('fct_open_leads') }}
),

closed as (
    select distinct deal_contacts.contact_id
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals on deals.deal_id = deal_contacts.deal_id
    cross join as_of
    where (deals.is_closed_won or deals.is_closed_lost) and deals.closed_at <= as_of.as_of
),

per_contact as (
    select
        contacts.contact_id,
        contacts.created_at <= as_of.as_of as is_known,
        coalesce(max(leads.is_training), false) as is_training,
        max(case when closed.contact_id is not null then 1 else 0 end) as is_closed,
        coalesce(sum(placed.training), 0) as in_training,
        coalesce(sum(placed.open_lead), 0) as in_open
    from {{ ref('stg_hubspot__contacts') }} as contacts
    cross join as_of
    left join {{ ref('int_leads') }} as leads on leads.lead_id = contacts.contact_id
    left join closed on closed.contact_id = contacts.contact_id
    left join placed on placed.lead_id = contacts.contact_id
    group by contacts.contact_id, contacts.created_at, as_of.as_of
)

select *
from per_contact
where (is_known and (is_training or is_closed = 0) and in_training + in_open <> 1)
   or (is_known and not is_training and is_closed = 1 and in_training + in_open <> 0)
   or (not is_known and in_training + in_open <> 0)
