-- HubSpot contacts (the leads), one row per contact, typed. The GA4 client id comes from
-- the contact property named by var('contact_ga4_property') (default ga_client_id); when a
-- team's tag sets GA4's user_id, var('ga4_user_id_field') names the contact field it
-- equals ('id' for the record id, or a property such as email), else it is NULL.
{%- set user_id_field = var('ga4_user_id_field') %}

select
    cast(id as {{ dbt.type_string() }}) as contact_id,
    {{ json_text('properties', 'email') }} as email,
    {{ iso_timestamp_utc(json_text('properties', 'createdate')) }} as created_at,
    nullif(trim({{ json_text('properties', var('contact_ga4_property')) }}), '') as ga4_client_id,
    {%- if not user_id_field %}
    cast(null as {{ dbt.type_string() }}) as ga4_user_id
    {%- elif user_id_field == 'id' %}
    cast(id as {{ dbt.type_string() }}) as ga4_user_id
    {%- else %}
    nullif(trim({{ json_text('properties', user_id_field) }}), '') as ga4_user_id
    {%- endif %}
from {{ source('raw', 'hubspot_contacts') }}
