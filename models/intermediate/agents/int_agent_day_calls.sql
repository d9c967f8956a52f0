{#- Step 2 of the agent day (kpi_agent_daily): handled stints on the local day of their CONNECT and
    missed rings (RINGNOANSWER) per agent and local day (pbx_timezone). Grain: agent_id, date_local. -#}
{{ config(materialized='view') }}

with stints as (

    select * from {{ ref('fct_queue_stints') }}

),

events as (

    select * from {{ ref('int_queue_log_events') }}

),

handled as (

    select
        agent_id,
        cast({{ callmart.utc_to_local('connected_at_utc', callmart.tz_literal('pbx_timezone')) }} as date) as date_local,
        1 as handled,
        0 as missed
    from stints
    where is_handled and agent_id is not null

),

missed as (

    select
        agent_id,
        cast({{ callmart.utc_to_local('event_ts_utc', callmart.tz_literal('pbx_timezone')) }} as date) as date_local,
        0 as handled,
        1 as missed
    from events
    where event = 'RINGNOANSWER' and agent_id is not null

),

calls as (

    select * from handled
    union all
    select * from missed

),

final as (

    select
        agent_id,
        date_local,
        cast(sum(handled) as {{ dbt.type_bigint() }}) as calls_handled,
        cast(sum(missed) as {{ dbt.type_bigint() }}) as missed_rings
    from calls
    group by agent_id, date_local

)

select * from final
