{#- Dialer figures per agent (VICIdial user, mapped through the agents seed), campaign and
    client-local day. Grain: agent_id, campaign_id, date_local. talk_s sums length_in_sec of the
    agent's attempts flagged human. -#}
with attempts as (

    select * from {{ ref('fct_dial_attempts') }}

),

final as (

    select
        coalesce(agent_id, 'none') as agent_id,
        campaign_id,
        date_local,
        min(client_id) as client_id,
        count(*) as attempts,
        {{ callmart.count_where('is_human') }} as human,
        {{ callmart.count_where('is_sale') }} as sales,
        {{ callmart.safe_divide(callmart.count_where('is_sale'), callmart.count_where('is_human')) }} as closure_rate,
        cast(coalesce(sum(case when is_human then length_s end), 0) as {{ dbt.type_bigint() }}) as talk_s
    from attempts
    group by coalesce(agent_id, 'none'), campaign_id, date_local

)

select * from final
