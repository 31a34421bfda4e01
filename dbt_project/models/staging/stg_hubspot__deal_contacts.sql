-- HubSpot deal-contact associations, one row per (deal, contact) pair of a deal's
-- associations.contacts.results.
with associations as (

    select
        cast(id as {{ dbt.type_string() }}) as deal_id,
        {{ explode_array('associations.contacts.results') }} as association
    from {{ source('raw', 'hubspot_deals') }}

)

select distinct
    deal_id,
    cast(association.id as {{ dbt.type_string() }}) as contact_id
from associations
where association.id is not null
