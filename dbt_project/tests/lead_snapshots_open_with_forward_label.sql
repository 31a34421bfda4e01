-- Each training snapshot is of an open lead, at a configured age, with its horizon passed
-- by the as-of, and labelled forward: won iff a closed-won deal closes after the snapshot
-- and within horizon_days of it. Fails naming the lead, the age and the rule broken.
with as_of as (
    select as_of from {{ ref('int_as_of') }}
),

deals as (
    select deal_contacts.contact_id, deals.closed_at, deals.is_closed_won, deals.is_closed_lost
    from {{ ref('stg_hubspot__deal_contacts') }} as deal_contacts
    inner join {{ ref('stg_hubspot__deals') }} as deals on deals.deal_id = deal_contacts.deal_id
    where deals.closed_at is not null
),

snapshots as (
    select snapshots.*, {{ dbt.dateadd('day', var('horizon_days'), 'snapshots.snapshot_at') }}
        as label_ends_at
    from {{ ref('fct_lead_snapshots') }} as snapshots
),

checked as (
    select
        snapshots.lead_id,
        snapshots.snapshot_age_days,
        snapshots.is_won,
        snapshots.label_ends_at <= as_of.as_of as horizon_passed,
        max(case when (deals.is_closed_won or deals.is_closed_lost)
            and deals.closed_at <= snapshots.snapshot_at then 1 else 0 end) as closed_before,
        max(case when deals.is_closed_won and deals.closed_at > snapshots.snapshot_at
            and deals.closed_at <= snapshots.label_ends_at then 1 else 0 end) as won_in_horizon
    from snapshots
    cross join as_of
    left join deals on deals.contact_id = snapshots.lead_id
    group by snapshots.lead_id, snapshots.snapshot_age_days, snapshots.is_won,
        snapshots.label_ends_at, as_of.as_of
)

select lead_id, snapshot_age_days, 'closed before the snapshot' as broken
from checked where closed_before = 1
union all
select lead_id, snapshot_age_days, 'horizon not passed by the as-of' from checked
where not horizon_passed
union all
select lead_id, snapshot_age_days, 'label is not "won within the horizon after it"'
from checked where is_won <> won_in_horizon
