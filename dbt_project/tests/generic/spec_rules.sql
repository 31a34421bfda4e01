{#
  Tests driven by spec/feature_spec.json: each iterates over the spec's features, so a
  feature added to the spec is checked without editing any YAML. Every failing row names
  the feature, the lead (the spec's `id` column) and the offending value.
#}

{# Features of type `count` are present and >= 0. #}
{% test spec_counts_non_negative(model) %}
  {%- set rules = [] -%}
  {%- for feature in spec_features_in(model, 'count') -%}
    {%- set column = adapter.quote(feature['name']) -%}
    {%- do rules.append({
        'feature': feature['name'],
        'fails_when': column ~ ' is null or ' ~ column ~ ' < 0'}) -%}
  {%- endfor -%}
  {{ spec_rule_violations(model, rules) }}
{% endtest %}

{# A feature with `at_most: other` never exceeds `other` (engaged_sessions <= sessions). #}
{% test spec_at_most(model) %}
  {%- set rules = [] -%}
  {%- for feature in spec_features_in(model) if feature.get('at_most') -%}
    {%- do rules.append({
        'feature': feature['name'],
        'fails_when': adapter.quote(feature['name']) ~ ' > '
                      ~ adapter.quote(feature['at_most'])}) -%}
  {%- endfor -%}
  {{ spec_rule_violations(model, rules) }}
{% endtest %}

{# Features of type `flag`, and the label, are 0 or 1. #}
{% test spec_flags_binary(model) %}
  {%- set names = spec_features_in(model, 'flag') | map(attribute='name') | list
                  + [feature_spec()['label']] -%}
  {%- set rules = [] -%}
  {%- for name in names -%}
    {%- set column = adapter.quote(name) -%}
    {%- do rules.append({
        'feature': name,
        'fails_when': column ~ ' is null or ' ~ column ~ ' not in (0, 1)'}) -%}
  {%- endfor -%}
  {{ spec_rule_violations(model, rules) }}
{% endtest %}

{# Features of type `category` hold one of the spec's `values`. #}
{% test spec_categories_accepted(model) %}
  {%- set rules = [] -%}
  {%- for feature in spec_features_in(model, 'category') -%}
    {%- set column = adapter.quote(feature['name']) -%}
    {%- do rules.append({
        'feature': feature['name'],
        'fails_when': column ~ ' is null or ' ~ column ~ ' not in '
                      ~ sql_string_list(feature['values'])}) -%}
  {%- endfor -%}
  {{ spec_rule_violations(model, rules) }}
{% endtest %}
