-- A day calendar: MetricFlow (dbt's semantic layer) joins metrics to it to aggregate over time.
-- dbt's cross-database date_spine, so the same model builds on DuckDB and Spark.
select cast(date_day as date) as date_day
from ({{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2051-01-01' as date)") }}) as days
