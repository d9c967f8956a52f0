{#- Sales per client, campaign (`none` without one) and client-local order day, in the client's
    reporting currency. Only paid orders count; refunded orders count nothing and are reported
    beside (refunded_orders, refunded_amount); cancelled orders count nothing. Grain: client_id,
    campaign_id, date_local. -#}
with orders as (

    select * from {{ ref('fct_orders') }}

),

counts as (

    select
        client_id,
        campaign_id,
        date_local,
        min(reporting_currency) as reporting_currency,
        coalesce(sum(case when status = 'paid' then amount_reporting end), 0) as revenue,
        coalesce(sum(case when status = 'paid' and cost is not null then amount_reporting - cost_reporting end), 0)
            as profit,
        {{ callmart.count_where("status = 'paid'") }} as orders,
        cast(coalesce(sum(case when status = 'paid' then items_count end), 0) as {{ dbt.type_bigint() }}) as items,
        {{ callmart.count_where("status = 'refunded'") }} as refunded_orders,
        coalesce(sum(case when status = 'refunded' then amount_reporting end), 0) as refunded_amount,
        {{ callmart.count_where("status = 'cancelled'") }} as cancelled_orders
    from orders
    group by client_id, campaign_id, date_local

),

final as (

    select
        *,
        {{ callmart.safe_divide('revenue', 'orders') }} as avg_check,
        {{ callmart.safe_divide('items', 'orders') }} as avg_items_per_check
    from counts

)

select * from final
