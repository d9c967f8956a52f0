{#- One row per queue and agent logged in now who serves it. An agent serves a queue when its
    newest ADDMEMBER/REMOVEMEMBER of that queue is an ADDMEMBER; an agent logged in with
    AGENTLOGIN (its queues are in queues.conf, which the log does not show) serves the queues it
    was offered or took a call from in the current session (RINGNOANSWER, CONNECT). Grain: queue,
    agent_id. -#}
with events as (

    select * from {{ ref('int_queue_log_events') }}

),

agent_states as (

    select * from {{ ref('int_live_agent_states') }}

),

logged_in as (

    select agent_id, state, session_start_epoch
    from agent_states
    where state <> 'logged_out'

),

membership_ranked as (

    select
        agent_id,
        queue,
        event,
        row_number() over (partition by agent_id, queue order by event_seq desc) as event_rank
    from events
    where event in ('ADDMEMBER', 'REMOVEMEMBER') and agent_id is not null and queue is not null

),

members as (

    select agent_id, queue from membership_ranked where event_rank = 1 and event = 'ADDMEMBER'

),

served_this_session as (

    select distinct events.agent_id, events.queue
    from events
    inner join logged_in on logged_in.agent_id = events.agent_id
    where events.event in ('CONNECT', 'RINGNOANSWER') and events.queue is not null
      and events.event_epoch >= logged_in.session_start_epoch

),

queues_of_agents as (

    select agent_id, queue from members
    union
    select agent_id, queue from served_this_session

),

final as (

    select queues_of_agents.queue, logged_in.agent_id, logged_in.state
    from queues_of_agents
    inner join logged_in on logged_in.agent_id = queues_of_agents.agent_id

)

select * from final
