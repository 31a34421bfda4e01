-- HubSpot deals, one row per deal, typed. is_closed_won: the stage is one of
-- var('closed_won_stages') (default ['closedwon'], HubSpot's default pipeline; a portal
-- with its own pipelines lists its won stage ids); is_closed_lost likewise with
-- var('closed_lost_stages') (default ['closedlost']).
select
    cast(id as {{ dbt.type_string() }}) as deal_id,
    {{ json_text('properties', 'dealstage') }} as dealstage,
    {{ json_text('properties', 'pipeline') }} as pipeline,
    cast({{ json_text('properties', 'amount') }} as decimal(18, 2)) as amount,
    {{ iso_timestamp_utc(json_text('properties', 'createdate')) }} as created_at,
    {{ iso_timestamp_utc(json_text('properties', 'closedate')) }} as closed_at,
    {{ json_text('properties', 'dealstage') }} in {{ sql_string_list(var('closed_won_stages')) }}
        as is_closed_won,
    {{ json_text('properties', 'dealstage') }} in {{ sql_string_list(var('closed_lost_stages')) }}
        as is_closed_lost
from {{ source('raw', 'hubspot_deals') }}
