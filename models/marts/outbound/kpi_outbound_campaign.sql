{#- The dialer funnel over each whole campaign. Grain: client_id, campaign_id. Lead figures count
    distinct leads; processing_plan_fulfilment divides records_processed by the sum of the campaign's
    `records_processed` plans. -#}
with attempts as (

    select * from {{ ref('fct_dial_attempts') }}

),

leads as (

    select campaign_id, client_id, count(*) as records_total
    from {{ ref('fct_leads') }}
    group by campaign_id, client_id

),

plans as (

    select campaign_id, sum(plan_value) as records_processed_plan
    from {{ ref('stg_config__plans') }}
    where metric = 'records_processed' and campaign_id is not null
    group by campaign_id

),

counts as (

    select client_id, campaign_id, {{ callmart.outbound_attempt_counts() }}
    from attempts
    group by client_id, campaign_id

),

campaign_keys as (

    select client_id, campaign_id from counts
    union
    select client_id, campaign_id from leads

),

joined as (

    select
        k.client_id,
        k.campaign_id,
        coalesce(l.records_total, 0) as records_total,
        coalesce(c.records_processed, 0) as records_processed,
        coalesce(c.records_reached, 0) as records_reached,
        coalesce(c.attempts, 0) as attempts,
        coalesce(c.connected, 0) as connected,
        coalesce(c.human, 0) as human,
        coalesce(c.decision_maker, 0) as decision_maker,
        coalesce(c.purpose_discussed, 0) as purpose_discussed,
        coalesce(c.result, 0) as result,
        coalesce(c.sales, 0) as sales,
        p.records_processed_plan
    from campaign_keys k
    left join counts c on c.client_id = k.client_id and c.campaign_id = k.campaign_id
    left join leads l on l.client_id = k.client_id and l.campaign_id = k.campaign_id
    left join plans p on p.campaign_id = k.campaign_id

),

final as (

    select
        *,
        {{ callmart.outbound_rates() }},
        {{ callmart.safe_divide('records_processed', 'records_processed_plan') }} as processing_plan_fulfilment
    from joined

)

select * from final
