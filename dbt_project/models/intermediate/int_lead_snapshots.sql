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

-- The snapshots that exist by the as-of, each with its lead's columns and then its label
-- (labelled_points), so the points with their features (per_point) are the result as they
-- are: the wide rows are never joined again.
points as (
{%- for age in var('snapshot_ages_days') %}

    select
        leads.lead_id as contact_id,
        leads.lead_id,
        leads.email,
        leads.visitor_id,
        leads.created_at,
        cast({{ age }} as {{ dbt.type_bigint() }}) as snapshot_age_days,
        -- Not dbt.dateadd: dbt-spark's drops the fractional seconds, so a session that
        -- started in the last second before a snapshot counted on DuckDB and not on Spark.
        {{ timestamp_add_days('leads.created_at', age) }} as point_at,
        {{ timestamp_add_days('leads.created_at', age + var('horizon_days')) }}
            as horizon_ends_at,
        {{ timestamp_add_days('leads.created_at', age + var('horizon_days')) }} <= as_of.as_of
            as is_training
    from leads
    cross join as_of
    where {{ timestamp_add_days('leads.created_at', age) }} <= as_of.as_of
    {% if not loop.last %}union all{% endif %}
{%- endfor %}

),

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

),

labelled_points as (

    select
        points.*,
        case when won.contact_id is not null then 1 else 0 end as is_won,
        won.won_at,
        first_close.first_closed_at is null or first_close.first_closed_at > points.point_at
            as is_open
    from points
    left join first_close on first_close.contact_id = points.contact_id
    left join won
        on won.contact_id = points.contact_id
        and won.point_at = points.point_at

),

{{ lead_snapshot_session_ctes('leads', 'labelled_points', var('snapshot_ages_days')) }}

select
    lead_id,
    email,
    {{ lead_point_features('per_point') }},
    {{ lead_point_recency('point_at', 'created_at', 'last_session_at') }},
    is_won,
    won_at,
    visitor_id,
    created_at,
    snapshot_age_days,
    point_at as snapshot_at,
    horizon_ends_at,
    last_session_at,
    is_open,
    is_training
from per_point
