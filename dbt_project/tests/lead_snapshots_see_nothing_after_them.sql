-- A snapshot never sees what happened after it: every session it counts started at or
-- before the snapshot, its recency is measured from the snapshot, and its age is the
-- snapshot's. Fails naming the lead, the age and the rule broken.
select lead_id, snapshot_age_days, 'a counted session starts after the snapshot' as broken
from {{ ref('fct_lead_snapshots') }}
where last_session_at > snapshot_at

union all

select lead_id, snapshot_age_days, 'age not in var snapshot_ages_days'
from {{ ref('fct_lead_snapshots') }}
where snapshot_age_days not in ({{ var('snapshot_ages_days') | join(', ') }})

union all

select lead_id, snapshot_age_days, 'days_since_created is not the snapshot age'
from {{ ref('fct_lead_snapshots') }}
where days_since_created <> snapshot_age_days

union all

-- Recount from the sessions themselves: no more sessions than started by the snapshot.
select snapshots.lead_id, snapshots.snapshot_age_days, 'more sessions than started by then'
from {{ ref('fct_lead_snapshots') }} as snapshots
left join {{ ref('int_contact_visitors') }} as identity
    on identity.contact_id = snapshots.lead_id
left join {{ ref('stg_ga4__sessions') }} as sessions
    on sessions.user_pseudo_id = identity.user_pseudo_id
    and sessions.session_start <= snapshots.snapshot_at
group by snapshots.lead_id, snapshots.snapshot_age_days, snapshots.sessions
having snapshots.sessions > count(sessions.session_id)
