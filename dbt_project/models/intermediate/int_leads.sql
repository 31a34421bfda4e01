-- One row per contact created at or before the as-of (int_as_of): its features
-- (int_visitor_sessions), its label over a horizon, and whether that horizon has passed.
--   is_won: a deal associated with the contact is in a closed-won stage
--           (var closed_won_stages) with a closedate within var('horizon_days') days of
--           the contact's creation.
--   is_training: created at least horizon_days before the as-of, so its label is final;
--           the others are open leads (fct_open_leads), scored but never trained on.
with as_of as (

    select as_of from {{ ref('int_as_of') }}

),

contacts as (

    select contacts.*, {{ timestamp_add_days('contacts.created_at', var('horizon_days')) }}
        as horizon_ends_at
    from {{ ref('stg_hubspot__contacts') }} as contacts
    cross join as_of
    where contacts.created_at <= as_of.as_of

),

won as (

    select deal_contacts.contact_id, min(deals.closed_at) as won_at
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals
        on deals.deal_id = deal_contacts.deal_id
    inner join contacts on contacts.contact_id = deal_contacts.contact_id
    where deals.is_closed_won
        and deals.closed_at <= contacts.horizon_ends_at
    group by deal_contacts.contact_id

)

select
    contacts.contact_id as lead_id,
    contacts.email,
    features.channel,
    features.sessions,
    features.engaged_sessions,
    features.page_views,
    features.is_first_visit,
    case when won.contact_id is not null then 1 else 0 end as is_won,
    won.won_at,
    features.visitor_id,
    contacts.created_at,
    contacts.horizon_ends_at,
    contacts.horizon_ends_at <= as_of.as_of as is_training
from contacts
cross join as_of
inner join {{ ref('int_visitor_sessions') }} as features
    on features.contact_id = contacts.contact_id
left join won on won.contact_id = contacts.contact_id
