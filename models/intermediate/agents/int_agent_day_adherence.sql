{#- Step 3 of the agent day (kpi_agent_daily): scheduled and adherent seconds per agent and local day
    (pbx_timezone), to the second. Scheduled `work` matches logged in and not paused (or paused for
    acw); break, lunch, training and meeting match a pause of that category or being logged out.
    A schedule piece meets the states of its agent and day only (joined on the agent alone, every piece
    met every state of its agent: pairs grew with the square of the days). Grain: agent_id, date_local. -#}
{{ config(materialized='view') }}

with days as (

    select * from {{ ref('int_pbx_days') }}

),

schedule as (

    select * from {{ ref('int_agent_schedule') }}

),

state_days as (

    -- each logged-in or paused span, once per local day it touches (not cut: overlaps are measured
    -- against the whole span)
    select * from {{ ref('int_agent_state_days') }}
    where state in ('logged_in', 'paused')

),

schedule_pieces as (

    -- each scheduled span cut into its local days
    select
        schedule.agent_id,
        days.date_local,
        schedule.activity,
        greatest(schedule.start_epoch, days.day_start_epoch) as start_epoch,
        least(schedule.end_epoch, days.day_end_epoch) as end_epoch
    from schedule
    inner join days on schedule.start_epoch < days.day_end_epoch and schedule.end_epoch > days.day_start_epoch

),

piece_states as (

    -- per schedule piece: seconds logged in, paused (not acw), paused as scheduled
    select
        schedule_pieces.agent_id,
        schedule_pieces.date_local,
        schedule_pieces.activity,
        schedule_pieces.start_epoch,
        schedule_pieces.end_epoch,
        coalesce(sum(case when states.state = 'logged_in'
            then {{ callmart.overlap_s('schedule_pieces.start_epoch', 'schedule_pieces.end_epoch', 'states.start_epoch', 'states.end_epoch') }} end), 0)
            as logged_in_s,
        coalesce(sum(case when states.state = 'paused' and states.category <> 'acw'
            then {{ callmart.overlap_s('schedule_pieces.start_epoch', 'schedule_pieces.end_epoch', 'states.start_epoch', 'states.end_epoch') }} end), 0)
            as paused_non_acw_s,
        coalesce(sum(case when states.state = 'paused' and states.category = schedule_pieces.activity
            then {{ callmart.overlap_s('schedule_pieces.start_epoch', 'schedule_pieces.end_epoch', 'states.start_epoch', 'states.end_epoch') }} end), 0)
            as paused_as_scheduled_s
    from schedule_pieces
    left join state_days as states
        on states.agent_id = schedule_pieces.agent_id and states.date_local = schedule_pieces.date_local
        and states.start_epoch < schedule_pieces.end_epoch and states.end_epoch > schedule_pieces.start_epoch
    group by schedule_pieces.agent_id, schedule_pieces.date_local, schedule_pieces.activity,
             schedule_pieces.start_epoch, schedule_pieces.end_epoch

),

final as (

    select
        agent_id,
        date_local,
        sum(end_epoch - start_epoch) as scheduled_s,
        sum(case
            when activity = 'work' then logged_in_s - paused_non_acw_s
            else paused_as_scheduled_s + (end_epoch - start_epoch - logged_in_s)
        end) as adherent_s
    from piece_states
    group by agent_id, date_local

)

select * from final
