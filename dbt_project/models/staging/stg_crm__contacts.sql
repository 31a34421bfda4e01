-- CRM contacts (leads), typed.
select
    cast(contact_id as varchar) as contact_id,
    cast(visitor_id as varchar) as visitor_id,
    cast(email as varchar) as email,
    cast(created_at as timestamp) as created_at
from {{ source('raw', 'contacts') }}
