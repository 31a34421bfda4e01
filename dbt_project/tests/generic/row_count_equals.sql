{# `model` has exactly as many rows as `compare_model` (e.g. one mart row per contact). #}
{% test row_count_equals(model, compare_model) %}
with row_counts as (

    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_model_rows

)

select model_rows, compare_model_rows
from row_counts
where model_rows <> compare_model_rows
{% endtest %}
