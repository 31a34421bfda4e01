{#
  Access to spec/feature_spec.json, the one list of features. scripts/load_duckdb passes it
  as the `feature_spec` var; the mart's columns and the spec-driven tests read it from here,
  so a feature added to the spec is exported and tested without editing SQL or YAML.
#}

{# Feature types the warehouse tests know how to check (see tests/generic/spec_*.sql). #}
{% macro spec_known_feature_types() %}
  {{ return(['count', 'flag', 'category']) }}
{% endmacro %}

{% macro feature_spec() %}
  {%- set spec = var('feature_spec', none) -%}
  {%- if spec is none -%}
    {{ exceptions.raise_compiler_error(
        "dbt var 'feature_spec' is not set. Build the warehouse with scripts/load_duckdb, "
        ~ "which passes spec/feature_spec.json to dbt as --vars '{\"feature_spec\": ...}'.") }}
  {%- endif -%}
  {%- for key in ['id', 'label', 'features', 'columns'] -%}
    {%- if key not in spec -%}
      {{ exceptions.raise_compiler_error(
          "dbt var 'feature_spec' has no '" ~ key ~ "' key: pass spec/feature_spec.json "
          ~ "unchanged (scripts/load_duckdb does).") }}
    {%- endif -%}
  {%- endfor -%}
  {%- for feature in spec['features'] -%}
    {%- if feature['type'] not in spec_known_feature_types() -%}
      {{ exceptions.raise_compiler_error(
          "feature '" ~ feature['name'] ~ "' has type '" ~ feature['type'] ~ "', which the "
          ~ "warehouse tests cannot check yet: add a rule for it in dbt_project/tests/generic/ "
          ~ "(known types: " ~ spec_known_feature_types() | join(', ') ~ ").") }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(spec) }}
{% endmacro %}

{# The spec's features of one type, e.g. spec_features('count'). #}
{% macro spec_features(type) %}
  {{ return(feature_spec()['features'] | selectattr('type', 'equalto', type) | list) }}
{% endmacro %}

{# One feature by name; a typo or a feature dropped from the spec fails the build. #}
{% macro spec_feature(name) %}
  {%- for feature in feature_spec()['features'] if feature['name'] == name -%}
    {{ return(feature) }}
  {%- endfor -%}
  {{ exceptions.raise_compiler_error(
      "feature '" ~ name ~ "' is not in the feature spec (spec/feature_spec.json).") }}
{% endmacro %}

{# The spec's features of one type that `model` has as columns: a feature with a `default`
   (recency) may be absent — the DESIGN table holds creation-time rows, where it is the
   default; any other missing feature still fails the test's query. #}
{% macro spec_features_in(model, type=none) %}
  {%- set features = feature_spec()['features'] if type is none else spec_features(type) -%}
  {%- if not execute -%}{{ return(features) }}{%- endif -%}
  {%- set present = adapter.get_columns_in_relation(model) | map(attribute='name')
                    | map('lower') | list -%}
  {%- set kept = [] -%}
  {%- for feature in features
        if 'default' not in feature or feature['name'] | lower in present -%}
    {%- do kept.append(feature) -%}
  {%- endfor -%}
  {{ return(kept) }}
{% endmacro %}

{#
  The spec's columns of a scoring mart, in order: the DESIGN table's `columns` (without the
  label when `labelled` is false: open leads have none yet), then the spec's features that are
  not among them (the recency features). fct_lead_snapshots and fct_open_leads list these.
#}
{% macro spec_mart_columns(labelled=true) %}
  {%- set spec = feature_spec() -%}
  {%- set names = [] -%}
  {%- for column in spec['columns'] if labelled or column != spec['label'] -%}
    {%- do names.append(column) -%}
  {%- endfor -%}
  {%- for feature in spec['features'] if feature['name'] not in spec['columns'] -%}
    {%- do names.append(feature['name']) -%}
  {%- endfor -%}
  {{ return(names) }}
{% endmacro %}
