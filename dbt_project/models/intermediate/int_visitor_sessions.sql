-- Per contact: the web behaviour of its visitor up to the moment the contact was created.
-- Only sessions that started at or before created_at count (the converting session
-- included). Later sessions are onboarding visits, mostly by won customers: counting them
-- would leak the outcome into the features.
with contacts as (

    select contact_id, visitor_id, created_at
    from {{ ref('stg_crm__contacts') }}

),

counted_sessions as (

    select
        contacts.contact_id,
        s.session_id,
        s.session_start,
        s.ga_session_number,
        s.channel,
        s.is_engaged,
        s.page_views
    from contacts
    inner join {{ ref('stg_ga4__sessions') }} as s
        on s.visitor_id = contacts.visitor_id
        and s.session_start <= contacts.created_at

),

per_contact as (

    select
        contact_id,
        count(*) as sessions,
        count(*) filter (where is_engaged) as engaged_sessions,
        sum(page_views) as page_views,
        min(ga_session_number) as first_session_number,
        min(session_start) as first_session_at,
        -- First touch: the earliest session's channel, ties broken deterministically.
        arg_min(channel, (session_start, ga_session_number, session_id)) as first_channel
    from counted_sessions
    group by contact_id

)

-- Contacts without counted sessions keep their row, with zeros and the unknown channel.
select
    contacts.contact_id,
    contacts.visitor_id,
    cast(coalesce(per_contact.sessions, 0) as bigint) as sessions,
    cast(coalesce(per_contact.engaged_sessions, 0) as bigint) as engaged_sessions,
    cast(coalesce(per_contact.page_views, 0) as bigint) as page_views,
    -- GA4 numbers a visitor's first session ever 1: seeing it means a new visitor.
    case when per_contact.first_session_number = 1 then 1 else 0 end as is_first_visit,
    coalesce(per_contact.first_channel, {{ spec_unknown('channel') }}) as channel,
    per_contact.first_session_at
from contacts
left join per_contact on per_contact.contact_id = contacts.contact_id
