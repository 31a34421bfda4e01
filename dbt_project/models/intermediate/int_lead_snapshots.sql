-- One row per (lead, snapshot age in var('snapshot_ages_days')) whose snapshot moment,
-- created_at + age, is at or before the as-of: the lead as it looked then. Features count
-- only the sessions that started at or before the snapshot (lead_snapshot_session_ctes: the
-- rule of lead_session_ctes, every age in one pass over the lead's sessions), recency is
-- measured from it, and the label looks forward from it:
--   is_won:    a closed-won deal closes after the snapshot and within horizon_days of it.
--   is_open:   no deal of the lead (won or lost: var closed_won_stages, closed_lost_stages)
--              closed at or before the snapshot; a closed lead has nothing left to score.
--   is_training: the snapshot's horizon has passed by the as-of, so its label is final.
with as_of as (

    select as_of from {{ ref('int_as_of') }}

),

leads as (

    select lead_id, lead_id as contact_id, email, visitor_id, created_at
    from {{ ref('int_leads') }}

),

points as (
{%- for age in var('snapshot_ages_days') %}

    select
        lead_id as contact_id,
        cast({{ age }} as {{ dbt.type_bigint() }}) as snapshot_age_days,
        -- Not dbt.dateadd: dbt-spark's drops the fractional seconds, so a session that
        -- started in the last second before a snapshot counted on DuckDB and not on Spark.
        {{ timestamp_add_days('created_at', age) }} as point_at,
        {{ timestamp_add_days('created_at', age + var('horizon_days')) }} as horizon_ends_at
    from leads
    {% if not loop.last %}union all{% endif %}
{%- endfor %}

),

{{ lead_snapshot_session_ctes('leads', 'points', var('snapshot_ages_days')) }},

closed_deals as (

    select deal_contacts.contact_id, deals.closed_at, deals.is_closed_won
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals
        on deals.deal_id = deal_contacts.deal_id
    where deals.closed_at is not null
        and (deals.is_closed_won or deals.is_closed_lost)

),

first_close as (

    select contact_id, min(closed_at) as first_closed_at
    from closed_deals
    group by contact_id

),

won as (

    select points.contact_id, points.point_at, min(closed_deals.closed_at) as won_at
    from points
    inner join closed_deals
        on closed_deals.contact_id = points.contact_id
        and closed_deals.is_closed_won
        and closed_deals.closed_at > points.point_at
        and closed_deals.closed_at <= points.horizon_ends_at
    group by points.contact_id, points.point_at

)

select
    leads.lead_id,
    leads.email,
    {{ lead_point_features('per_point') }},
    {{ lead_point_recency('per_point.point_at', 'leads.created_at', 'per_point.last_session_at') }},
    case when won.contact_id is not null then 1 else 0 end as is_won,
    won.won_at,
    leads.visitor_id,
    leads.created_at,
    per_point.snapshot_age_days,
    per_point.point_at as snapshot_at,
    per_point.horizon_ends_at,
    per_point.last_session_at,
    first_close.first_closed_at is null or first_close.first_closed_at > per_point.point_at
        as is_open,
    per_point.horizon_ends_at <= as_of.as_of as is_training
from per_point
cross join as_of
inner join leads on leads.lead_id = per_point.contact_id
left join first_close on first_close.contact_id = per_point.contact_id
left join won
    on won.contact_id = per_point.contact_id
    and won.point_at = per_point.point_at
where per_point.point_at <= as_of.as_of
