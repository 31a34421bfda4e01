-- One GA4 browser behind several contacts (a shared computer, a duplicate record): allowed,
-- each contact counts that browser's sessions up to its own creation, but worth a look.
{{ config(severity='warn') }}

select user_pseudo_id, count(*) as contacts
from {{ ref('int_contact_visitors') }}
group by user_pseudo_id
having count(*) > 1
