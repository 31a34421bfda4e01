-- The grades of the open leads on the latest day of rescoring ("today" on the dashboards):
-- one row per grade held that day, with its leads, their share of the day's leads, mean
-- score, score range and alerts. A lead scored by a model without grade cut points counts as
-- 'ungraded'. Empty until scripts/rescore has run.
with history as (

    select * from {{ ref('mart_lead_score_history') }}

),

latest as (

    select max(scored_on) as scored_on from history

),

today as (

    select history.*
    from history
    inner join latest on history.scored_on = latest.scored_on

)

select
    scored_on,
    coalesce(grade, 'ungraded') as grade,
    count(*) as leads,
    cast(count(*) as {{ type_double() }}) / sum(count(*)) over () as share_of_leads,
    avg(score) as mean_score,
    min(score) as min_score,
    max(score) as max_score,
    sum(case when alert then 1 else 0 end) as alerts
from today
group by scored_on, coalesce(grade, 'ungraded')
