-- Per contact: the web behaviour of its GA4 browsers up to the moment the contact was
-- created. Only sessions that started at or before created_at count (the converting
-- session included). Later sessions are onboarding visits, mostly by won customers:
-- counting them would leak the outcome into the features.
with contacts as (

    select contact_id, created_at, ga4_client_id
    from {{ ref('stg_hubspot__contacts') }}

),

counted_sessions as (

    select
        contacts.contact_id,
        s.session_id,
        s.session_start,
        s.ga_session_number,
        s.channel,
        s.is_engaged,
        s.page_views,
        -- First touch: the earliest session, ties broken deterministically.
        row_number() over (
            partition by contacts.contact_id
            order by s.session_start, s.ga_session_number, s.session_id
        ) as touch_order
    from contacts
    inner join {{ ref('int_contact_visitors') }} as identity
        on identity.contact_id = contacts.contact_id
    inner join {{ ref('stg_ga4__sessions') }} as s
        on s.user_pseudo_id = identity.user_pseudo_id
        and s.session_start <= contacts.created_at

),

per_contact as (

    select
        contact_id,
        count(*) as sessions,
        sum(is_engaged) as engaged_sessions,
        sum(page_views) as page_views,
        max(case when touch_order = 1 then ga_session_number end) as first_session_number,
        min(session_start) as first_session_at,
        max(case when touch_order = 1 then channel end) as first_channel
    from counted_sessions
    group by contact_id

),

visitors as (

    select contact_id, min(user_pseudo_id) as any_visitor_id
    from {{ ref('int_contact_visitors') }}
    group by contact_id

)

-- Contacts without counted sessions keep their row, with zeros and the unknown channel.
select
    contacts.contact_id,
    coalesce(contacts.ga4_client_id, visitors.any_visitor_id) as visitor_id,
    cast(coalesce(per_contact.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
    cast(coalesce(per_contact.engaged_sessions, 0) as {{ dbt.type_bigint() }}) as engaged_sessions,
    cast(coalesce(per_contact.page_views, 0) as {{ dbt.type_bigint() }}) as page_views,
    -- GA4 numbers a browser's first session ever 1: seeing it means a new visitor.
    case when per_contact.first_session_number = 1 then 1 else 0 end as is_first_visit,
    coalesce(per_contact.first_channel, {{ spec_unknown('channel') }}) as channel,
    per_contact.first_session_at
from contacts
left join per_contact on per_contact.contact_id = contacts.contact_id
left join visitors on visitors.contact_id = contacts.contact_id
