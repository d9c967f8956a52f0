{#- Each agent now (the newest queue_log event loaded, as_of_utc): state and since when, and today's
    calls and AHT so far (today: the pbx_timezone day of as_of_utc, from kpi_agent_daily).
    Grain: agent_id. -#}
with agent_states as (

    select * from {{ ref('int_live_agent_states') }}

),

agent_days as (

    select * from {{ ref('kpi_agent_daily') }}

),

with_today as (

    select
        agent_states.*,
        cast({{ callmart.utc_to_local(callmart.epoch_to_timestamp('agent_states.as_of_epoch'),
                                       callmart.tz_literal('pbx_timezone')) }} as date) as today_local
    from agent_states

),

final as (

    select
        with_today.agent_id,
        with_today.state,
        with_today.pause_category,
        {{ callmart.epoch_to_timestamp('with_today.state_since_epoch') }} as state_since_utc,
        with_today.as_of_epoch - with_today.state_since_epoch as seconds_in_state,
        with_today.today_local as date_local,
        coalesce(agent_days.calls_handled, 0) as calls_handled,
        agent_days.aht_s,
        {{ callmart.epoch_to_timestamp('with_today.as_of_epoch') }} as as_of_utc
    from with_today
    left join agent_days
        on agent_days.agent_id = with_today.agent_id and agent_days.date_local = with_today.today_local

)

select * from final
