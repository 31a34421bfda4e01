-- One row per channel (GA4 default channel group of the lead's first session): how many
-- leads it brought, how many were won, and how the champion scores them. First-touch
-- attribution, the same channel the model sees as a feature. Channels with no leads are
-- absent. "high" is the served label: score > the model's threshold (0.8).
with per_channel as (

    select
        channel,
        count(*) as leads,
        cast(sum(is_won) as bigint) as won,
        count(score) as scored_leads,
        avg(score) as mean_score,
        cast(sum(is_high) as bigint) as high_leads
    from {{ ref('scored_leads') }}
    group by channel

)

select
    channel,
    leads,
    won,
    won / leads as conversion_rate,
    scored_leads,
    mean_score,
    high_leads,
    case when scored_leads > 0 then high_leads / scored_leads end as high_share,
    leads / sum(leads) over () as lead_share,
    -- Share of all won deals attributed to the channel; 0 when nothing was won at all.
    coalesce(won / nullif(sum(won) over (), 0), 0) as won_share
from per_channel
order by leads desc, channel
