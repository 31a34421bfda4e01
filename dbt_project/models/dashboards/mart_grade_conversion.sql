-- Conversion per grade on the rescore history: of the leads that scripts/rescore put in
-- grade G on some day, the share that then closed won within the label horizon of their
-- creation (the model's label), counting only leads whose outcome is decided by the
-- warehouse's as-of. The outcome is fct_score_outcomes' (monitoring): a lead resolves won when
-- the win has happened, lost when its horizon passed without one or all its deals closed
-- lost; scores taken once the outcome was decided are not predictions and do not count.
--   leads           distinct leads rescored in grade G (a lead that moved from B to A counts
--                   in both: each grade is judged by every lead it was given to)
--   resolved_leads  of them, those whose outcome is decided
--   won             of those, the ones that closed won
--   conversion_rate won / resolved_leads (NULL while none is resolved)
--   open_leads      leads - resolved_leads (outcome still to come; not counted either way)
with rescored as (

    select lead_id, coalesce(grade, 'ungraded') as grade, resolved, outcome
    from {{ ref('fct_score_outcomes') }}
    where recorded_by = 'rescore' and is_prediction

),

per_lead as (

    -- One row per lead and grade; a lead's outcome is the same on all its rows.
    select
        grade,
        lead_id,
        max(case when resolved then 1 else 0 end) as resolved,
        max(case when resolved and outcome = 1 then 1 else 0 end) as won
    from rescored
    group by grade, lead_id

)

select
    grade,
    count(*) as leads,
    sum(resolved) as resolved_leads,
    sum(won) as won,
    case
        when sum(resolved) > 0
            then cast(sum(won) as {{ type_double() }}) / sum(resolved)
    end as conversion_rate,
    count(*) - sum(resolved) as open_leads
from per_lead
group by grade
