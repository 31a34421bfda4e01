-- One row per lead (CRM contact) with the features of spec/feature_spec.json and the label.
-- The final select lists the spec's `columns` in their order, so the exported CSV matches
-- the contract; a column added to the spec but not computed below fails the build.
{%- set spec = feature_spec() %}

with won_contacts as (

    -- Normally zero or one deal per contact; a lead is won if any of its deals is.
    select contact_id, max(case when is_won then 1 else 0 end) as is_won
    from {{ ref('stg_crm__deals') }}
    group by contact_id

),

leads as (

    select
        contacts.contact_id as lead_id,
        contacts.email,
        visitor_sessions.channel,
        visitor_sessions.sessions,
        visitor_sessions.engaged_sessions,
        visitor_sessions.page_views,
        visitor_sessions.is_first_visit,
        coalesce(won_contacts.is_won, 0) as is_won,
        contacts.visitor_id,
        contacts.created_at
    from {{ ref('stg_crm__contacts') }} as contacts
    inner join {{ ref('int_visitor_sessions') }} as visitor_sessions
        on visitor_sessions.contact_id = contacts.contact_id
    left join won_contacts on won_contacts.contact_id = contacts.contact_id

)

select
{%- for column in spec['columns'] %}
    {{ adapter.quote(column) }},
{%- endfor %}
    visitor_id,
    created_at
from leads
