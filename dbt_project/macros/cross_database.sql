{#
  Engine differences of the GA4 and HubSpot shapes, behind adapter.dispatch: the default
  implementations are DuckDB's (the warehouse today); an engine with another syntax adds
  `<adapter>__<macro>` beside them (a Spark version is sketched where it differs), never a
  copied model. Everything else in the models is dbt's own cross-database macros
  (dbt.date_trunc, dbt.concat, dbt.type_*) or plain SQL.
#}

{# One GA4 event parameter by key; kind 'int' (int_value, or a string holding an integer)
   or 'string' (string_value, or the int_value as text). NULL when the event lacks it. #}
{% macro ga4_event_param(params, key, kind) -%}
  {{ return(adapter.dispatch('ga4_event_param', 'leadscore')(params, key, kind)) }}
{%- endmacro %}

{% macro default__ga4_event_param(params, key, kind) -%}
  {%- set value = "list_filter(" ~ params ~ ", lambda p: p.key = " ~ sql_string(key) ~ ")[1].value" -%}
  {%- if kind == 'int' -%}
    coalesce({{ value }}.int_value, try_cast({{ value }}.string_value as {{ dbt.type_bigint() }}))
  {%- else -%}
    coalesce({{ value }}.string_value, cast({{ value }}.int_value as {{ dbt.type_string() }}))
  {%- endif -%}
{%- endmacro %}

{% macro spark__ga4_event_param(params, key, kind) -%}
  {%- set value = "filter(" ~ params ~ ", p -> p.key = " ~ sql_string(key) ~ ")[0].value" -%}
  {%- if kind == 'int' -%}
    coalesce({{ value }}.int_value, try_cast({{ value }}.string_value as bigint))
  {%- else -%}
    coalesce({{ value }}.string_value, cast({{ value }}.int_value as string))
  {%- endif -%}
{%- endmacro %}

{# GA4's event_timestamp (INT64 microseconds since the epoch, UTC) as a UTC timestamp. #}
{% macro timestamp_from_micros(micros) -%}
  {{ return(adapter.dispatch('timestamp_from_micros', 'leadscore')(micros)) }}
{%- endmacro %}

{% macro default__timestamp_from_micros(micros) -%}
  make_timestamp({{ micros }})
{%- endmacro %}

{% macro spark__timestamp_from_micros(micros) -%}
  timestamp_micros({{ micros }})
{%- endmacro %}

{# `timestamp` plus `days` whole days, keeping its fractional seconds. Not dbt.dateadd:
   dbt-spark's goes through to_unix_timestamp and drops them, so a lead's horizon end (and
   every score outcome resolved by it) differed between the engines by up to a second. #}
{% macro timestamp_add_days(timestamp, days) -%}
  {{ return(adapter.dispatch('timestamp_add_days', 'leadscore')(timestamp, days)) }}
{%- endmacro %}

{% macro default__timestamp_add_days(timestamp, days) -%}
  ({{ timestamp }} + interval ({{ days }}) day)
{%- endmacro %}

{% macro spark__timestamp_add_days(timestamp, days) -%}
  timestampadd(DAY, {{ days }}, {{ timestamp }})
{%- endmacro %}

{# An ISO 8601 text (HubSpot's createdate, closedate: '2017-06-01T12:34:56.789Z') as a
   timestamp without time zone, in UTC. #}
{% macro iso_timestamp_utc(text) -%}
  {{ return(adapter.dispatch('iso_timestamp_utc', 'leadscore')(text)) }}
{%- endmacro %}

{% macro default__iso_timestamp_utc(text) -%}
  timezone('UTC', cast({{ text }} as timestamptz))
{%- endmacro %}

{% macro spark__iso_timestamp_utc(text) -%}
  to_utc_timestamp(to_timestamp({{ text }}), 'UTC')
{%- endmacro %}

{# A HubSpot property from the `properties` JSON object, as text (NULL when absent). #}
{% macro json_text(json_column, key) -%}
  {{ return(adapter.dispatch('json_text', 'leadscore')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_text(json_column, key) -%}
  json_extract_string({{ json_column }}, {{ sql_string('$."' ~ key ~ '"') }})
{%- endmacro %}

{% macro spark__json_text(json_column, key) -%}
  get_json_object({{ json_column }}, {{ sql_string('$.' ~ key) }})
{%- endmacro %}

{# One output row per element of an array column (in a select list). #}
{% macro explode_array(array) -%}
  {{ return(adapter.dispatch('explode_array', 'leadscore')(array)) }}
{%- endmacro %}

{% macro default__explode_array(array) -%}
  unnest({{ array }})
{%- endmacro %}

{% macro spark__explode_array(array) -%}
  explode({{ array }})
{%- endmacro %}

{# The value of `value` on the row with the smallest `order_by` among rows where `value`
   is not NULL (an aggregate). #}
{% macro first_value_by(value, order_by) -%}
  {{ return(adapter.dispatch('first_value_by', 'leadscore')(value, order_by)) }}
{%- endmacro %}

{% macro default__first_value_by(value, order_by) -%}
  {# DuckDB's arg_min skips rows whose value is NULL. #}
  arg_min({{ value }}, {{ order_by }})
{%- endmacro %}

{% macro spark__first_value_by(value, order_by) -%}
  min_by({{ value }}, case when {{ value }} is not null then {{ order_by }} end)
{%- endmacro %}

{# `text` matches the regular expression `pattern` as a whole (RE2 / Java syntax). #}
{% macro regex_full_match(text, pattern) -%}
  {{ return(adapter.dispatch('regex_full_match', 'leadscore')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(text, pattern) -%}
  regexp_full_match({{ text }}, {{ sql_string(pattern) }})
{%- endmacro %}

{% macro spark__regex_full_match(text, pattern) -%}
  ({{ text }} rlike {{ sql_string('^(' ~ pattern ~ ')$') }})
{%- endmacro %}

{# Whole seconds since the epoch of a timestamp (without time zone), rounded down as Spark's
   unix_timestamp does, so differences are the same number on either engine. #}
{% macro epoch_seconds(ts) -%}
  {{ return(adapter.dispatch('epoch_seconds', 'leadscore')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
  floor(epoch({{ ts }}))
{%- endmacro %}

{% macro spark__epoch_seconds(ts) -%}
  unix_timestamp({{ ts }})
{%- endmacro %}

{# A 64-bit hash of several columns, for finding rows that share them: equal columns give
   equal hashes; unequal ones collide rarely, so a match is only a candidate. #}
{% macro columns_hash(columns) -%}
  {{ return(adapter.dispatch('columns_hash', 'leadscore')(columns)) }}
{%- endmacro %}

{% macro default__columns_hash(columns) -%}
  hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__columns_hash(columns) -%}
  xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{# The values of `expression` found on more than one row of `relation` (a query). #}
{% macro repeated_values(relation, expression) -%}
  {{ return(adapter.dispatch('repeated_values', 'leadscore')(relation, expression)) }}
{%- endmacro %}

{% macro default__repeated_values(relation, expression) -%}
  {# Sorted, each value next to its predecessor: DuckDB's sort spills within memory_limit,
     while `group by … having count(*) > 1` over every event needs memory that grows with
     the distinct values (~300 MB at 49M events; out of a 500 MB limit at 490M). #}
  select distinct repeated_value from (
      select repeated_value, lag(repeated_value) over (order by repeated_value) as previous_value
      from (select {{ expression }} as repeated_value from {{ relation }}) as candidate_values
  ) as neighbours
  where repeated_value = previous_value
{%- endmacro %}

{% macro spark__repeated_values(relation, expression) -%}
  {# A window over every row would move them all to one task; Spark's aggregate spills. #}
  select {{ expression }} as repeated_value from {{ relation }}
  group by {{ expression }} having count(*) > 1
{%- endmacro %}
