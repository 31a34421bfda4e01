-- The leads whose score moved most, for two periods ending on the latest day of rescoring:
--   day   since the lead's row of the day before
--   week  since the lead's earliest row of the 7 days before (a lead first scored within
--         the week is measured from its first score)
-- one row per period and rank (1 = the largest absolute change; ties by lead_id), the top
-- var('top_movers') leads of each period that moved at all, with the grade before and after
-- and today's reasons (JSON text, as scripts/rescore stored them). Leads not rescored today
-- (closed, or past the horizon) are not movers. Empty until two days were rescored.
with history as (

    select * from {{ ref('mart_lead_score_history') }}

),

latest as (

    select max(scored_on) as scored_on from history

),

periods as (

    select 'day' as period, 1 as days
    union all
    select 'week' as period, 7 as days

),

today as (

    select history.*
    from history
    inner join latest on history.scored_on = latest.scored_on

),

baselines as (

    select
        periods.period,
        history.lead_id,
        history.scored_at,
        history.score,
        history.grade,
        row_number() over (
            partition by periods.period, history.lead_id order by history.scored_at
        ) as earliest
    from history
    cross join latest
    cross join periods
    where history.scored_on < latest.scored_on
        and history.scored_on
            >= cast({{ timestamp_add_days('cast(latest.scored_on as ' ~ dbt.type_timestamp() ~ ')',
                                          '-periods.days') }} as date)

),

moves as (

    select
        baselines.period,
        today.lead_id,
        baselines.scored_at as scored_from,
        today.scored_at as scored_to,
        baselines.score as score_from,
        today.score as score_to,
        today.score - baselines.score as score_change,
        baselines.grade as grade_from,
        today.grade as grade_to,
        today.trend,
        today.reasons
    from today
    inner join baselines
        on baselines.lead_id = today.lead_id and baselines.earliest = 1
    where today.score <> baselines.score

),

ranked as (

    select
        moves.*,
        row_number() over (
            partition by period order by abs(score_change) desc, lead_id
        ) as mover_rank
    from moves

)

select
    period,
    mover_rank,
    lead_id,
    scored_from,
    scored_to,
    score_from,
    score_to,
    score_change,
    grade_from,
    grade_to,
    trend,
    reasons
from ranked
where mover_rank <= {{ var('top_movers') }}
