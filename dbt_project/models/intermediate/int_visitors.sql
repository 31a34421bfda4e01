-- One row per visitor, anonymous or not, over all their sessions (no cut-off): the top of
-- the funnel visitor -> engaged visitor -> contact. Visitors known only from the CRM (a
-- contact without sessions) are included with zero sessions.
with per_visitor as (

    select
        visitor_id,
        count(*) as sessions,
        count(*) filter (where is_engaged) as engaged_sessions,
        sum(page_views) as page_views,
        min(session_start) as first_session_at,
        max(session_start) as last_session_at
    from {{ ref('stg_ga4__sessions') }}
    group by visitor_id

),

contact_visitors as (

    select visitor_id, count(*) as contacts, min(created_at) as first_contact_at
    from {{ ref('stg_crm__contacts') }}
    group by visitor_id

)

select
    coalesce(per_visitor.visitor_id, contact_visitors.visitor_id) as visitor_id,
    cast(coalesce(per_visitor.sessions, 0) as bigint) as sessions,
    cast(coalesce(per_visitor.engaged_sessions, 0) as bigint) as engaged_sessions,
    cast(coalesce(per_visitor.page_views, 0) as bigint) as page_views,
    case when per_visitor.engaged_sessions > 0 then 1 else 0 end as is_engaged,
    case when contact_visitors.visitor_id is not null then 1 else 0 end as is_contact,
    per_visitor.first_session_at,
    per_visitor.last_session_at,
    contact_visitors.first_contact_at
from per_visitor
full outer join contact_visitors on contact_visitors.visitor_id = per_visitor.visitor_id
