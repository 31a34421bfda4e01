-- A day calendar: MetricFlow (dbt's semantic layer) joins metrics to it to aggregate over time.
select cast(range as date) as date_day
from range(date '2000-01-01', date '2051-01-01', interval 1 day)
