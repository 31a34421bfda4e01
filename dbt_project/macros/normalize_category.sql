{#
  Maps a raw value onto one of a category feature's spec values, ignoring case and
  surrounding spaces; NULL, empty and values the spec does not list become the spec's
  `unknown` value (for channel: 'Unassigned', as GA4 itself reports them).
#}
{% macro normalize_category(column, feature_name) %}
  {%- set feature = spec_feature(feature_name) -%}
  case lower(trim({{ column }}))
  {%- for value in feature['values'] %}
    when {{ sql_string(value | lower) }} then {{ sql_string(value) }}
  {%- endfor %}
    else {{ sql_string(feature['unknown']) }}
  end
{%- endmacro %}

{# The `unknown` value of a category feature, as a SQL literal. #}
{% macro spec_unknown(feature_name) -%}
  {{ sql_string(spec_feature(feature_name)['unknown']) }}
{%- endmacro %}
