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
        {{ touch_order('points.contact_id, points.point_at') }} as touch_order
    {{ sessions_started_by(points, 'points', 'points.point_at') }}

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

{# The rule itself: FROM `relation` AS `alias` (column contact_id) joined to the sessions of
   the contact's browsers (s) that started at or before `moment`, an expression over alias. #}
{% macro sessions_started_by(relation, alias, moment) %}
    from {{ relation }} as {{ alias }}
    inner join {{ ref('int_contact_visitors') }} as identity
        on identity.contact_id = {{ alias }}.contact_id
    inner join {{ ref('stg_ga4__sessions') }} as s
        on s.user_pseudo_id = identity.user_pseudo_id
        and s.session_start <= {{ moment }}
{%- endmacro %}

{# First touch: a session's order among those of `partition` (1 = the earliest), ties
   broken deterministically. #}
{% macro touch_order(partition) -%}
    row_number() over (
        partition by {{ partition }}
        order by s.session_start, s.ga_session_number, s.session_id
    )
{%- endmacro %}

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

{#
  lead_snapshot_session_ctes(leads, points, ages): the same rule at several moments of each
  lead — its snapshots at created_at + age for every age in `ages` — in one pass over the
  lead's sessions instead of one per snapshot. Joining every snapshot to every session
  (lead_session_ctes over the points) made ~5 rows per session and a (lead, moment)
  aggregate that did not fit one machine at 10M leads (bench/pipeline/results.md run 9);
  this way the join and the aggregate are one row per session and one per lead, as in
  int_visitor_sessions. `leads` has contact_id and created_at; `points` has contact_id and
  snapshot_age_days (one of `ages`; point_at = created_at + that age), and any other
  columns the caller wants to keep. Three CTEs:
    snapshot_sessions  one row per (lead, session that started by its last snapshot), with
                       first_age: the youngest snapshot it counts in (it counts in every
                       older one too), and its first-touch order
    snapshot_totals    one row per lead with such a session: per age, what counts by then
    per_point          every point, all its columns, with its features: the columns of
                       lead_session_ctes' per_point (sessions 0 and NULL first touch and last
                       session when none counts yet)
  A lead's first touch is its earliest session, so at a point it is that session when it
  counts there (first_touch_age <= the point's age) and there is none otherwise.
#}
{% macro lead_snapshot_session_ctes(leads, points, ages) %}
{%- set ages = ages | sort %}
snapshot_sessions as (

    select
        leads.contact_id,
        s.session_start,
        s.ga_session_number,
        s.channel,
        s.is_engaged,
        s.page_views,
        case
        {%- for age in ages %}
            when s.session_start <= {{ timestamp_add_days('leads.created_at', age) }} then {{ age }}
        {%- endfor %}
        end as first_age,
        {{ touch_order('leads.contact_id') }} as touch_order
    {{ sessions_started_by(leads, 'leads', timestamp_add_days('leads.created_at', ages | last)) }}

),

snapshot_totals as (

    select
        contact_id,
    {%- for age in ages %}
        sum(case when first_age <= {{ age }} then 1 else 0 end) as sessions_{{ age }},
        sum(case when first_age <= {{ age }} then is_engaged else 0 end)
            as engaged_sessions_{{ age }},
        sum(case when first_age <= {{ age }} then page_views else 0 end) as page_views_{{ age }},
        max(case when first_age <= {{ age }} then session_start end)
            as last_session_at_{{ age }},
    {%- endfor %}
        max(case when touch_order = 1 then first_age end) as first_touch_age,
        max(case when touch_order = 1 then ga_session_number end) as first_session_number,
        min(session_start) as first_session_at,
        max(case when touch_order = 1 then channel end) as first_channel
    from snapshot_sessions
    group by contact_id

),

per_point as (

    select
        points.*,
    {%- for column in ['sessions', 'engaged_sessions', 'page_views', 'last_session_at'] %}
        case points.snapshot_age_days
        {%- for age in ages %}
            when {{ age }} then totals.{{ column }}_{{ age }}
        {%- endfor %}
        end as {{ column }},
    {%- endfor %}
    {%- for column in ['first_session_number', 'first_session_at', 'first_channel'] %}
        case when totals.first_touch_age <= points.snapshot_age_days
            then totals.{{ column }} end as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ points }} as points
    left join snapshot_totals as totals on totals.contact_id = points.contact_id

)
{% endmacro %}
