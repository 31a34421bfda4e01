{#
  The relation of a declared source when it exists in the warehouse, else none: for the
  recorded-score sources that only some warehouses have (the score log is loaded only where
  a server logged scores; main.lead_score_history appears once scripts/rescore has run).
  Models union what exists instead of failing on what does not.
#}
{% macro optional_source(source_name, table_name) -%}
  {%- if not execute -%}
    {{ return(none) }}
  {%- endif -%}
  {{ return(load_relation(source(source_name, table_name))) }}
{%- endmacro %}

{# Whether `relation` (none allowed) has a column named `column` (case-insensitive). #}
{% macro relation_has_column(relation, column) -%}
  {%- if relation is none -%}
    {{ return(false) }}
  {%- endif -%}
  {%- for existing in adapter.get_columns_in_relation(relation) -%}
    {%- if existing.name | lower == column | lower -%}
      {{ return(true) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(false) }}
{%- endmacro %}

{# A 64-bit float type by the name DuckDB and Spark share (dbt.type_float() is 32-bit on
   both): scores and AUCs must not lose digits. #}
{% macro type_double() -%}
  double
{%- endmacro %}
