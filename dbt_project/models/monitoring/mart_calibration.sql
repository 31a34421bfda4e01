-- Calibration of the resolved predictions per model version: 10 equal-width score bins
-- (bin 0 = [0, 0.1), ..., bin 9 = [0.9, 1]), each with its count, mean predicted score and
-- observed win rate. A calibrated model has predicted ≈ observed in every populated bin.
with resolved as (

    select
        model_version,
        score,
        outcome,
        least(cast(floor(score * 10) as {{ dbt.type_int() }}), 9) as score_bin
    from {{ ref('fct_score_outcomes') }}
    where resolved

)

select
    model_version,
    score_bin,
    -- Doubles on both engines: Spark reads the literal 10.0 as a DECIMAL.
    cast(score_bin as {{ type_double() }}) / 10 as bin_lower,
    cast(score_bin + 1 as {{ type_double() }}) / 10 as bin_upper,
    count(*) as resolved,
    avg(score) as predicted,
    avg(cast(outcome as {{ type_double() }})) as observed
from resolved
group by model_version, score_bin
