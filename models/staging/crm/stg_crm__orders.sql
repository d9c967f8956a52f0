{#- One row per sales order, the latest export wins (a paid order may later be refunded). -#}
with source as (

    select * from {{ source('crm', 'crm_orders') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('order_id') }} as is_latest from source
    ) ranked
    where is_latest

),

final as (

    select
        {{ callmart.text('order_id') }} as order_id,
        {{ callmart.iso_to_utc('order_ts') }} as order_ts_utc,
        {{ callmart.text('client_id') }} as client_id,
        {{ callmart.text('campaign_id') }} as campaign_id,
        {{ callmart.text('lead_id') }} as lead_id,
        {{ callmart.text('customer_id') }} as customer_id,
        {{ callmart.text('agent') }} as agent,
        {{ callmart.num('amount') }} as amount,
        {{ callmart.num('cost') }} as cost,
        upper({{ callmart.text('currency') }}) as currency,
        {{ callmart.int('items_count') }} as items_count,
        lower({{ callmart.text('status') }}) as status,
        _file_id as file_id,
        _line_no as line_no

    from latest

)

select * from final
