{{ config(tags=['dashboard']) }}
-- Each funnel stage is a subset of the one before: a stage with more members than its
-- predecessor means the stage definitions in mart_funnel drifted apart.
select stage, count, previous_count
from (
    select stage, count, lag(count) over (order by stage_order) as previous_count
    from {{ ref('mart_funnel') }}
)
where count > previous_count
