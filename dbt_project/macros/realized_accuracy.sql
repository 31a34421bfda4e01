{#
  Realized accuracy of resolved scores (rows of `relation` with columns score, outcome (0/1),
  grade, promised_auc), one row per group of `group_by` (a list of column names):
    resolved      how many scores resolved
    won           how many of them won
    realized_auc  the probability that a won lead scored above a lost one, ties counting a
                  half: the Mann-Whitney statistic from average ranks (tied scores share the
                  mean of their ranks); NULL unless both outcomes occur
    brier         mean squared difference between score and outcome
    grade_a_leads / precision_grade_a   scores graded A, and the share of them that won;
                  NULL when no score of the group carries a grade A
    promised_auc  the test AUC the model reported at training (max over the group's rows)
  Plain SQL with window functions: the same on DuckDB and Spark.
#}
{% macro realized_accuracy(relation, group_by) -%}
{%- set groups = group_by | join(', ') -%}
with ranked as (

    select
        {{ groups }},
        score,
        outcome,
        grade,
        promised_auc,
        rank() over (partition by {{ groups }} order by score)
            + (count(*) over (partition by {{ groups }}, score) - 1) / 2.0 as score_rank
    from {{ relation }} as scored_rows

),

summed as (

    select
        {{ groups }},
        count(*) as resolved,
        sum(outcome) as won,
        sum(case when outcome = 1 then score_rank else 0 end) as won_rank_sum,
        avg((score - outcome) * (score - outcome)) as brier,
        sum(case when grade = 'A' then 1 else 0 end) as grade_a_leads,
        sum(case when grade = 'A' then outcome else 0 end) as grade_a_won,
        max(promised_auc) as promised_auc
    from ranked
    group by {{ groups }}

)

select
    {{ groups }},
    resolved,
    won,
    case when won > 0 and won < resolved then
        (won_rank_sum - won * (won + 1) / 2.0)
            / (cast(won as {{ type_double() }}) * (resolved - won))
    end as realized_auc,
    brier,
    grade_a_leads,
    case when grade_a_leads > 0 then
        cast(grade_a_won as {{ type_double() }}) / grade_a_leads
    end as precision_grade_a,
    promised_auc
from summed
{%- endmacro %}
