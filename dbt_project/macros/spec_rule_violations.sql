{#
  Failing rows for the spec-driven tests (tests/generic/spec_rules.sql): the union of the
  rows of `model` breaking `rules`, a list of {feature, fails_when}. Each row names the
  feature, the lead (the spec's `id` column) and the offending value.
#}
{% macro spec_rule_violations(model, rules) %}
  {%- set id_column = adapter.quote(feature_spec()['id']) -%}
  {%- for rule in rules %}
    select
        {{ sql_string(rule['feature']) }} as feature,
        cast({{ id_column }} as {{ dbt.type_string() }}) as id,
        cast({{ adapter.quote(rule['feature']) }} as {{ dbt.type_string() }}) as value
    from {{ model }}
    where {{ rule['fails_when'] }}
    {% if not loop.last %}union all{% endif %}
  {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as {{ dbt.type_string() }}) as id,
        cast(null as {{ dbt.type_string() }}) as value
    where false
  {%- endfor %}
{% endmacro %}
