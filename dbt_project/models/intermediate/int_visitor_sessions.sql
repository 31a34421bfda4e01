-- Per contact: the web behaviour of its GA4 browsers up to the moment the contact was
-- created. Only sessions that started at or before created_at count (the converting
-- session included). Later sessions are revisits and onboarding visits, the latter by won
-- customers: counting them would leak the outcome into the features. The rule is the
-- lead_session_ctes macro's, shared with the snapshots and the open leads.
with contacts as (

    select contact_id, created_at, ga4_client_id, created_at as point_at
    from {{ ref('stg_hubspot__contacts') }}

),

{{ lead_session_ctes('contacts') }},

visitors as (

    select contact_id, min(user_pseudo_id) as any_visitor_id
    from {{ ref('int_contact_visitors') }}
    group by contact_id

)

-- Contacts without counted sessions keep their row, with zeros and the unknown channel.
select
    contacts.contact_id,
    coalesce(contacts.ga4_client_id, visitors.any_visitor_id) as visitor_id,
    {{ lead_point_features('per_point') }},
    per_point.first_session_at
from contacts
left join per_point
    on per_point.contact_id = contacts.contact_id
    and per_point.point_at = contacts.point_at
left join visitors on visitors.contact_id = contacts.contact_id
