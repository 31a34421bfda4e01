-- CRM deals, typed; stage is kept as exported (closedwon, closedlost, open).
select
    cast(deal_id as varchar) as deal_id,
    cast(contact_id as varchar) as contact_id,
    cast(stage as varchar) as stage,
    cast(amount as decimal(18, 2)) as amount,
    cast(close_date as timestamp) as close_date,
    stage = 'closedwon' as is_won
from {{ source('raw', 'deals') }}
