-- Identity: which GA4 browsers (user_pseudo_id) are a contact's, one row per pair.
--   contact_property: the contact's GA4 client id property (var contact_ga4_property)
--   user_id:          sessions whose GA4 user_id equals the contact's field named by
--                     var('ga4_user_id_field') (off unless the team's tag sets user_id)
-- A browser may belong to several contacts (a shared computer, duplicate records) and a
-- contact to several browsers (user_id across devices): each contact counts the sessions
-- of all its browsers up to its own creation.
with contacts as (

    select contact_id, ga4_client_id, ga4_user_id
    from {{ ref('stg_hubspot__contacts') }}

),

pairs as (

    select contact_id, ga4_client_id as user_pseudo_id, 'contact_property' as matched_by
    from contacts
    where ga4_client_id is not null

    {%- if var('ga4_user_id_field') %}

    union all

    select distinct contacts.contact_id, sessions.user_pseudo_id, 'user_id' as matched_by
    from contacts
    inner join {{ ref('stg_ga4__sessions') }} as sessions
        on sessions.user_id = contacts.ga4_user_id
    {%- endif %}

)

select contact_id, user_pseudo_id, min(matched_by) as matched_by
from pairs
group by contact_id, user_pseudo_id
