{#- Each agent state span once per local day (pbx_timezone) it touches, with the seconds of it that
    fall in that day: the one place a state span meets the calendar, for the agent-day steps
    (int_agent_day_states sums the seconds, int_agent_day_adherence measures schedule pieces against
    the whole spans). Grain: state_span_id, date_local. -#}
{{ config(materialized='view') }}

with days as (

    select * from {{ ref('int_pbx_days') }}

),

states as (

    select * from {{ ref('fct_agent_states') }}

),

final as (

    select
        states.state_span_id,
        states.agent_id,
        days.date_local,
        states.state,
        states.category,
        states.start_epoch,
        states.end_epoch,
        {{ callmart.overlap_s('states.start_epoch', 'states.end_epoch', 'days.day_start_epoch', 'days.day_end_epoch') }}
            as seconds_in_day
    from states
    inner join days on states.start_epoch < days.day_end_epoch and states.end_epoch > days.day_start_epoch

)

select * from final
