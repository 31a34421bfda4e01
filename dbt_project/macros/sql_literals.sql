{# A SQL string literal with quotes escaped, for values that come from the feature spec. #}
{% macro sql_string(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{# A parenthesised list of string literals: ('a', 'b'). #}
{% macro sql_string_list(values) -%}
  ({% for value in values %}{{ sql_string(value) }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
