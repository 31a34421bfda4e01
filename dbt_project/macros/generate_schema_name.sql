{#
  Use the configured schema name as is (staging, intermediate) instead of dbt's default
  "<target schema>_<name>", so the warehouse reads raw -> staging -> intermediate -> main
  (the marts, in the target's schema).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}
    {{ target.schema }}
  {%- else -%}
    {{ custom_schema_name | trim }}
  {%- endif -%}
{%- endmacro %}
