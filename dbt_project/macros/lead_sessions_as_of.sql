{#
  The one rule for "a lead's web behaviour as of a moment", shared by the creation-time
  features (int_visitor_sessions), the point-in-time snapshots (int_lead_snapshots) and the
  open leads as of now (fct_open_leads): only sessions of the contact's browsers
  (int_contact_visitors) that started at or before the moment count, so nothing after it —
  a revisit, an onboarding visit — can reach the features.

  lead_session_ctes(points): two CTEs to put after `with`, for `points`, a relation or CTE
  with columns contact_id and point_at (one row per (contact_id, point_at)):
    counted_sessions  the sessions that count, with their first-touch order
    per_point         one row per (contact_id, point_at) with at least one such session:
                      sessions, engaged_sessions, page_views, first_session_number,
                      first_session_at, last_session_at, first_channel
  lead_point_features(points, per_point): the feature columns of a point, joined left so a
  point without sessions has zeros and the spec's unknown channel.
#}
{% macro lead_session_ctes(points) %}
counted_sessions as (

    select
        points.contact_id,
        points.point_at,
        s.session_id,
        s.session_start,
        s.ga_session_number,
        s.channel,
        s.is_engaged,
        s.page_views,
        -- First touch: the earliest session, ties broken deterministically.
        row_number() over (
            partition by points.contact_id, points.point_at
            order by s.session_start, s.ga_session_number, s.session_id
        ) as touch_order
    from {{ points }} as points
    inner join {{ ref('int_contact_visitors') }} as identity
        on identity.contact_id = points.contact_id
    inner join {{ ref('stg_ga4__sessions') }} as s
        on s.user_pseudo_id = identity.user_pseudo_id
        and s.session_start <= points.point_at

),

per_point as (

    select
        contact_id,
        point_at,
        count(*) as sessions,
        sum(is_engaged) as engaged_sessions,
        sum(page_views) as page_views,
        max(case when touch_order = 1 then ga_session_number end) as first_session_number,
        min(session_start) as first_session_at,
        max(session_start) as last_session_at,
        max(case when touch_order = 1 then channel end) as first_channel
    from counted_sessions
    group by contact_id, point_at

)
{% endmacro %}

{% macro lead_point_features(per_point) %}
    cast(coalesce({{ per_point }}.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
    cast(coalesce({{ per_point }}.engaged_sessions, 0) as {{ dbt.type_bigint() }}) as engaged_sessions,
    cast(coalesce({{ per_point }}.page_views, 0) as {{ dbt.type_bigint() }}) as page_views,
    -- GA4 numbers a browser's first session ever 1: seeing it means a new visitor.
    case when {{ per_point }}.first_session_number = 1 then 1 else 0 end as is_first_visit,
    coalesce({{ per_point }}.first_channel, {{ spec_unknown('channel') }}) as channel
{%- endmacro %}

{#
  The recency features of a point (spec: days_since_last_session, days_since_created), in
  whole days, rounded down. A lead without any session up to the point counts its creation
  as its last touch. Epoch seconds, not dbt.datediff: that counts calendar-day boundaries,
  which makes 00:05 one day after 23:55.
#}
{% macro lead_point_recency(point_at, created_at, last_session_at) %}
    cast(floor(({{ epoch_seconds(point_at) }} - {{ epoch_seconds(
        'coalesce(' ~ last_session_at ~ ', ' ~ created_at ~ ')') }}) / 86400)
        as {{ dbt.type_bigint() }}) as days_since_last_session,
    cast(floor(({{ epoch_seconds(point_at) }} - {{ epoch_seconds(created_at) }}) / 86400)
        as {{ dbt.type_bigint() }}) as days_since_created
{%- endmacro %}
