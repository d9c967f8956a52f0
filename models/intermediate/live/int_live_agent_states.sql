{#- One row per agent: its state now and since when. "Now" is the newest queue_log event loaded
    (as_of_epoch): on a live queue_log, seconds behind the clock; on old files, their end. A span
    still open at the end of data ends at that event (fct_agent_states), so a span ending there is
    open now. on_call (an answered stint of the current session not yet completed) > paused (a
    pause open now, with its category) > available (logged in) > logged_out. Grain: agent_id. -#}
with events as (

    select * from {{ ref('int_queue_log_events') }}

),

agents as (

    select * from {{ ref('dim_agent') }}

),

agent_states as (

    select * from {{ ref('fct_agent_states') }}

),

stints as (

    select * from {{ ref('fct_queue_stints') }}

),

now_epoch as (

    select max(event_epoch) as as_of_epoch from events

),

open_sessions as (

    select agent_states.agent_id, min(agent_states.start_epoch) as session_start_epoch
    from agent_states
    cross join now_epoch
    where agent_states.state = 'logged_in' and agent_states.end_epoch >= now_epoch.as_of_epoch
    group by agent_states.agent_id

),

last_sessions as (

    select agent_id, max(end_epoch) as session_end_epoch
    from agent_states
    where state = 'logged_in'
    group by agent_id

),

open_pauses_ranked as (

    select
        agent_states.agent_id,
        agent_states.category,
        agent_states.start_epoch,
        row_number() over (
            partition by agent_states.agent_id order by agent_states.start_epoch desc
        ) as pause_rank
    from agent_states
    cross join now_epoch
    where agent_states.state = 'paused' and agent_states.end_epoch >= now_epoch.as_of_epoch

),

open_pauses as (

    select agent_id, category, start_epoch as pause_start_epoch
    from open_pauses_ranked
    where pause_rank = 1

),

open_calls as (

    select stints.agent_id, max(stints.connected_epoch) as call_start_epoch
    from stints
    inner join open_sessions on open_sessions.agent_id = stints.agent_id
    where stints.outcome = 'answered' and not stints.is_handled
      and stints.connected_epoch >= open_sessions.session_start_epoch
    group by stints.agent_id

),

last_activity as (

    -- the end of the newest pause or talk of the current session: available since then
    select agent_states.agent_id, max(agent_states.end_epoch) as activity_end_epoch
    from agent_states
    inner join open_sessions on open_sessions.agent_id = agent_states.agent_id
    cross join now_epoch
    where agent_states.state in ('paused', 'talk')
      and agent_states.end_epoch >= open_sessions.session_start_epoch
      and agent_states.end_epoch < now_epoch.as_of_epoch
    group by agent_states.agent_id

),

final as (

    select
        agents.agent_id,
        case
            when open_calls.agent_id is not null then 'on_call'
            when open_pauses.agent_id is not null then 'paused'
            when open_sessions.agent_id is not null then 'available'
            else 'logged_out'
        end as state,
        case when open_calls.agent_id is null then open_pauses.category end as pause_category,
        case
            when open_calls.agent_id is not null then open_calls.call_start_epoch
            when open_pauses.agent_id is not null then open_pauses.pause_start_epoch
            when open_sessions.agent_id is not null then
                case
                    when last_activity.activity_end_epoch > open_sessions.session_start_epoch
                        then last_activity.activity_end_epoch
                    else open_sessions.session_start_epoch
                end
            else last_sessions.session_end_epoch
        end as state_since_epoch,
        open_sessions.session_start_epoch,
        now_epoch.as_of_epoch
    from agents
    cross join now_epoch
    left join open_sessions on open_sessions.agent_id = agents.agent_id
    left join last_sessions on last_sessions.agent_id = agents.agent_id
    left join open_pauses on open_pauses.agent_id = agents.agent_id
    left join open_calls on open_calls.agent_id = agents.agent_id
    left join last_activity on last_activity.agent_id = agents.agent_id

)

select * from final
