-- One row per GA4 browser (user_pseudo_id), anonymous or not, over all its sessions (no
-- cut-off): the top of the funnel visitor -> engaged visitor -> contact. Browsers known
-- only from the CRM (a contact's GA4 id without sessions in the export) are included with
-- zero sessions. is_engaged follows GA4's engaged session (stg_ga4__sessions).
with per_visitor as (

    select
        user_pseudo_id as visitor_id,
        count(*) as sessions,
        sum(is_engaged) as engaged_sessions,
        sum(page_views) as page_views,
        min(session_start) as first_session_at,
        max(session_start) as last_session_at
    from {{ ref('stg_ga4__sessions') }}
    group by user_pseudo_id

),

contact_visitors as (

    select identity.user_pseudo_id as visitor_id, count(*) as contacts,
        min(contacts.created_at) as first_contact_at
    from {{ ref('int_contact_visitors') }} as identity
    inner join {{ ref('stg_hubspot__contacts') }} as contacts
        on contacts.contact_id = identity.contact_id
    group by identity.user_pseudo_id

)

select
    coalesce(per_visitor.visitor_id, contact_visitors.visitor_id) as visitor_id,
    cast(coalesce(per_visitor.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
    cast(coalesce(per_visitor.engaged_sessions, 0) as {{ dbt.type_bigint() }}) as engaged_sessions,
    cast(coalesce(per_visitor.page_views, 0) as {{ dbt.type_bigint() }}) as page_views,
    case when per_visitor.engaged_sessions > 0 then 1 else 0 end as is_engaged,
    case when contact_visitors.visitor_id is not null then 1 else 0 end as is_contact,
    per_visitor.first_session_at,
    per_visitor.last_session_at,
    contact_visitors.first_contact_at
from per_visitor
full outer join contact_visitors on contact_visitors.visitor_id = per_visitor.visitor_id
