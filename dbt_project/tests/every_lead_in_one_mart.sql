-- Every contact created at or before the as-of is in exactly one of the training mart and
-- the open leads; none created after it is in either.
with as_of as (
    select as_of from {{ ref('int_as_of') }}
),

placed as (
    select lead_id, 1 as training, 0 as open_lead from {{ ref('fct_lead_scoring_features') }}
    union all
    select lead_id, 0, 1 from {{ ref('fct_open_leads') }}
),

per_contact as (
    select
        contacts.contact_id,
        contacts.created_at <= as_of.as_of as is_known,
        coalesce(sum(placed.training), 0) as in_training,
        coalesce(sum(placed.open_lead), 0) as in_open
    from {{ ref('stg_hubspot__contacts') }} as contacts
    cross join as_of
    left join placed on placed.lead_id = contacts.contact_id
    group by contacts.contact_id, contacts.created_at, as_of.as_of
)

select *
from per_contact
where (is_known and in_training + in_open <> 1)
   or (not is_known and in_training + in_open <> 0)
