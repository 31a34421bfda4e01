-- The open leads, as of now (the as-of): created less than horizon_days before it and not
-- closed (no won or lost deal closed at or before it), so sales can still act on them. The
-- features count every session up to the as-of (lead_session_ctes) — a lead that came back
-- since its creation shows it — and recency is measured from the as-of. The training mart's
-- columns without the label, then the spec's other features (recency), for scoring; never
-- trained on (their label is not known yet).

with as_of as (

    select as_of from {{ ref('int_as_of') }}

),

closed as (

    select distinct deal_contacts.contact_id
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals
        on deals.deal_id = deal_contacts.deal_id
    cross join as_of
    where (deals.is_closed_won or deals.is_closed_lost)
        and deals.closed_at <= as_of.as_of

),

points as (

    select leads.lead_id as contact_id, as_of.as_of as point_at
    from {{ ref('int_leads') }} as leads
    cross join as_of
    left join closed on closed.contact_id = leads.lead_id
    where not leads.is_training
        and closed.contact_id is null

),

{{ lead_session_ctes('points') }},

open_leads as (

    select
        leads.lead_id,
        leads.email,
        {{ lead_point_features('per_point') }},
        {{ lead_point_recency('points.point_at', 'leads.created_at', 'per_point.last_session_at') }},
        leads.visitor_id,
        leads.created_at,
        leads.horizon_ends_at,
        points.point_at as features_as_of
    from points
    inner join {{ ref('int_leads') }} as leads on leads.lead_id = points.contact_id
    left join per_point
        on per_point.contact_id = points.contact_id
        and per_point.point_at = points.point_at

)

select
{%- for column in spec_mart_columns(labelled=false) %}
    {{ adapter.quote(column) }},
{%- endfor %}
    visitor_id,
    created_at,
    horizon_ends_at,
    features_as_of
from open_leads
