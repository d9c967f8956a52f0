{#- Step 1 of the agent day (kpi_agent_daily): seconds logged in, paused (in total and per pause
    category) and talking per agent and local day (pbx_timezone). Grain: agent_id, date_local. A span
    across midnight counts its part in each day. -#}
{{ config(materialized='view') }}

with state_days as (

    select * from {{ ref('int_agent_state_days') }}

),

final as (

    select
        agent_id,
        date_local,
        sum(case when state = 'logged_in' then seconds_in_day else 0 end) as logged_in_s,
        sum(case when state = 'paused' then seconds_in_day else 0 end) as paused_s,
        {%- for category in callmart.pause_categories() %}
        sum(case when state = 'paused' and category = '{{ category }}' then seconds_in_day else 0 end)
            as paused_{{ category }}_s,
        {%- endfor %}
        sum(case when state = 'talk' then seconds_in_day else 0 end) as talk_s
    from state_days
    group by agent_id, date_local

)

select * from final
