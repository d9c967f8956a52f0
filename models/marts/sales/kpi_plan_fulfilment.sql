{#- One row per plans row: the actual of its metric over its period (inclusive, client-local days;
    an empty campaign_id means all of the client's campaigns), actual / plan_value, and status
    below_min (actual < min_value), below_plan (actual < plan_value) or met. Metrics: revenue,
    orders, items (paid CRM orders), sales, attempts, records_processed (dialer), service_level
    (call level: answered_within_sl / (offered - short_abandoned) over the period). -#}
with plans as (

    select
        row_number() over (order by period_start, period_end, client_id, campaign_id nulls last, metric) as plan_row,
        period_start,
        period_end,
        client_id,
        campaign_id,
        metric,
        plan_value,
        min_value
    from {{ ref('stg_config__plans') }}

),

orders as (select * from {{ ref('fct_orders') }} where status = 'paid'),
attempts as (select * from {{ ref('fct_dial_attempts') }}),
calls as (select * from {{ ref('fct_calls') }} where is_offered),

order_actuals as (

    select
        p.plan_row,
        coalesce(sum(o.amount_reporting), 0) as revenue,
        count(o.order_id) as orders,
        coalesce(sum(o.items_count), 0) as items
    from plans p
    left join orders o
        on o.client_id = p.client_id and o.date_local between p.period_start and p.period_end
        and (p.campaign_id is null or o.campaign_id = p.campaign_id)
    group by p.plan_row

),

dialer_actuals as (

    select
        p.plan_row,
        count(a.attempt_id) as attempts,
        {{ callmart.count_where('a.is_sale') }} as sales,
        count(distinct a.lead_id) as records_processed
    from plans p
    left join attempts a
        on a.client_id = p.client_id and a.date_local between p.period_start and p.period_end
        and (p.campaign_id is null or a.campaign_id = p.campaign_id)
    group by p.plan_row

),

call_actuals as (

    select
        p.plan_row,
        {{ callmart.safe_divide(callmart.count_where('c.is_answered_within_sl'),
                                'count(c.callid) - ' ~ callmart.count_where('c.is_short_abandoned')) }}
            as service_level
    from plans p
    left join calls c
        on c.client_id = p.client_id and c.date_local between p.period_start and p.period_end
    group by p.plan_row

),

actuals as (

    select
        p.*,
        case p.metric
            when 'revenue' then o.revenue
            when 'orders' then o.orders
            when 'items' then o.items
            when 'sales' then d.sales
            when 'attempts' then d.attempts
            when 'records_processed' then d.records_processed
            when 'service_level' then c.service_level
        end as actual
    from plans p
    left join order_actuals o on o.plan_row = p.plan_row
    left join dialer_actuals d on d.plan_row = p.plan_row
    left join call_actuals c on c.plan_row = p.plan_row

),

final as (

    select
        plan_row,
        period_start,
        period_end,
        client_id,
        coalesce(campaign_id, 'none') as campaign_id,
        metric,
        actual,
        plan_value,
        min_value,
        {{ callmart.safe_divide('actual', 'plan_value') }} as plan_fulfilment,
        case
            when actual is null then null
            when min_value is not null and actual < min_value then 'below_min'
            when actual < plan_value then 'below_plan'
            else 'met'
        end as status
    from actuals

)

select * from final
