-- The champion's scores of every lead in 20 equal-width bins over [0, 1] (a score of 1
-- falls in the last), with the won rate per bin; empty bins are listed with 0 leads so the
-- histogram always has 20 bars.
with bins as (

    -- dbt's cross-database series (1..20), so the model builds on DuckDB and Spark.
    select cast(generated_number - 1 as integer) as bin from ({{ dbt.generate_series(20) }}) as series

),

scored as (

    select
        least(cast(floor(score * 20) as integer), 19) as bin,
        is_won
    from {{ ref('scored_leads') }}
    where score is not null

)

select
    bins.bin,
    cast(bins.bin as double) / 20 as lower_bound,
    cast(bins.bin + 1 as double) / 20 as upper_bound,
    count(scored.bin) as leads,
    cast(coalesce(sum(scored.is_won), 0) as bigint) as won
from bins
left join scored on scored.bin = bins.bin
group by bins.bin
order by bins.bin
