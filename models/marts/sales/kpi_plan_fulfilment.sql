{#- One row per plans row: the actual of its metric over its period (inclusive, client-local days;
    an empty campaign_id means all of the client's campaigns), actual / plan_value, and status
    below_min (actual < min_value), below_plan (actual < plan_value) or met. Metrics: revenue,
    orders, items (paid CRM orders), sales, attempts, records_processed (dialer), service_level
    (call level, kpi_calls_daily's, over the period). The actuals roll up from the daily marts. -#}
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

-- actuals roll up from the daily marts (their rules, such as "only paid orders", stated there once);
-- distinct leads cannot be summed over days and come from the attempts
sales_days as (select * from {{ ref('kpi_sales_daily') }}),
dialer_days as (select * from {{ ref('kpi_outbound_daily') }}),
attempts as (select * from {{ ref('fct_dial_attempts') }}),
call_days as (select * from {{ ref('kpi_calls_daily') }}),

order_actuals as (

    select
        plans.plan_row,
        coalesce(sum(sales_days.revenue), 0) as revenue,
        coalesce(sum(sales_days.orders), 0) as orders,
        coalesce(sum(sales_days.items), 0) as items
    from plans
    left join sales_days
        on {{ callmart.in_plan('sales_days', 'plans') }}
    group by plans.plan_row

),

dialer_actuals as (

    select
        plans.plan_row,
        coalesce(sum(dialer_days.attempts), 0) as attempts,
        coalesce(sum(dialer_days.sales), 0) as sales
    from plans
    left join dialer_days
        on {{ callmart.in_plan('dialer_days', 'plans') }}
    group by plans.plan_row

),

lead_actuals as (

    select
        plans.plan_row,
        count(distinct attempts.lead_id) as records_processed
    from plans
    left join attempts
        on {{ callmart.in_plan('attempts', 'plans') }}
    group by plans.plan_row

),

call_actuals as (

    -- the period's call-level service level, re-divided from the days' numerators and denominators
    select
        plans.plan_row,
        {{ callmart.safe_divide('sum(call_days.answered_within_sl)', 'sum(call_days.sl_denominator)') }}
            as service_level
    from plans
    left join call_days
        on {{ callmart.in_plan('call_days', 'plans', by_campaign=false) }}
    group by plans.plan_row

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
            when 'records_processed' then l.records_processed
            when 'service_level' then c.service_level
        end as actual
    from plans p
    left join order_actuals o on o.plan_row = p.plan_row
    left join dialer_actuals d on d.plan_row = p.plan_row
    left join lead_actuals l on l.plan_row = p.plan_row
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
