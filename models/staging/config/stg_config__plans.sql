{#- One row per plans row: period (client-local days, inclusive), client, campaign (NULL = all of the
    client's campaigns), metric, plan and minimum. Grain: one plans row. -#}
with plans as (

    select * from {{ ref('plans') }}

),

final as (

    select
        ---------- period
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,

        ---------- ids
        trim(client_id) as client_id,
        nullif(trim(campaign_id), '') as campaign_id,

        ---------- plan
        lower(trim(metric)) as metric,
        cast(plan_value as {{ callmart.type_double() }}) as plan_value,
        cast(nullif(trim(min_value), '') as {{ callmart.type_double() }}) as min_value
    from plans

)

select * from final
