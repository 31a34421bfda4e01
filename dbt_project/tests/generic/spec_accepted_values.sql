{# A column holds one of the values the feature spec lists for category `feature`. #}
{% test spec_accepted_values(model, column_name, feature) %}
select {{ column_name }} as value, count(*) as n_records
from {{ model }}
where {{ column_name }} is null
    or {{ column_name }} not in {{ sql_string_list(spec_feature(feature)['values']) }}
group by {{ column_name }}
{% endtest %}
