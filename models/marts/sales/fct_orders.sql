{#- One row per CRM order with its client (the order's, else its campaign's, else `default`),
    client-local day and amounts in the client's reporting currency (rate 1 for the reporting
    currency itself, else fx_rates of the order's local date; a missing rate leaves fx_rate NULL and
    fails the test assert_fx_rate_for_every_order). Grain: order_id. -#}
with orders as (

    select * from {{ ref('stg_crm__orders') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

clients as (

    select * from {{ ref('stg_config__clients') }}

),

rates as (

    select * from {{ ref('stg_config__fx_rates') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

with_client as (

    select
        o.*,
        coalesce(o.client_id, c.client_id, {{ callmart.config_default('clients', 'client_id') }}) as resolved_client_id
    from orders o
    left join campaigns c on c.campaign_id = o.campaign_id

),

localized as (

    select
        w.*,
        coalesce(cl.reporting_currency, 'EUR') as reporting_currency,
        cast({{ callmart.utc_to_local('w.order_ts_utc', "coalesce(cl.timezone, " ~ callmart.config_default('clients', 'timezone') ~ ")") }} as date) as date_local
    from with_client w
    left join clients cl on cl.client_id = w.resolved_client_id

),

converted as (

    select
        l.*,
        case when l.currency = l.reporting_currency then 1.0 else r.rate end as fx_rate,
        {{ callmart.mapped_agent_id('l.agent', 'm') }} as agent_id
    from localized l
    left join rates r
        on r.rate_date = l.date_local and r.currency = l.currency and r.reporting_currency = l.reporting_currency
    left join agent_map m on m.agent = l.agent

),

final as (

    select
        order_id,
        order_ts_utc,
        date_local,
        resolved_client_id as client_id,
        coalesce(campaign_id, 'none') as campaign_id,
        lead_id,
        customer_id,
        agent_id,
        status,
        amount,
        cost,
        currency,
        items_count,
        reporting_currency,
        fx_rate,
        -- money as an exact decimal: sums do not depend on the order DuckDB's threads add them in
        cast(amount * fx_rate as {{ callmart.type_money() }}) as amount_reporting,
        cast(cost * fx_rate as {{ callmart.type_money() }}) as cost_reporting
    from converted

)

select * from final
