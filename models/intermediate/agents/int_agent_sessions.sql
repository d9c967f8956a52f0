{#- One row per logged-in span of an agent, across all queues at once (an agent in three queues is
    logged in once). A login (AGENTLOGIN, or ADDMEMBER per queue) pairs with the next logoff
    (AGENTLOGOFF, or REMOVEMEMBER of that queue); the union of those intervals is the agent's
    logged-in time. Open at the end of data: ends at the newest event of the whole queue_log.
    Closed with no login seen (the log starts while logged in), or an agent with activity and no
    login event at all (a static member): logged in from the oldest event of the queue_log. -#}
with events as (

    select * from {{ ref('int_queue_log_events') }}

),

bounds as (

    select min(event_epoch) as data_start_epoch, max(event_epoch) as data_end_epoch from events

),

login_events as (

    select
        agent_id,
        case when event in ('AGENTLOGIN', 'AGENTLOGOFF') then '#agent' else coalesce(queue, '#none') end
            as login_key,
        event_seq,
        event_epoch,
        case when event in ('AGENTLOGIN', 'ADDMEMBER') then 1 else 0 end as is_start,
        case when event in ('AGENTLOGOFF', 'REMOVEMEMBER') then 1 else 0 end as is_end
    from events
    where agent_id is not null and event in ('AGENTLOGIN', 'AGENTLOGOFF', 'ADDMEMBER', 'REMOVEMEMBER')

),

grouped as (

    -- a group: the logins since the previous logoff, and the logoff that closes them
    select
        *,
        coalesce(sum(is_end) over (
            partition by agent_id, login_key order by event_seq rows between unbounded preceding and 1 preceding
        ), 0) as session_no
    from login_events

),

intervals_from_logins as (

    select
        g.agent_id,
        coalesce(min(case when g.is_start = 1 then g.event_epoch end),
                 case when g.session_no = 0 then max(b.data_start_epoch) end) as start_epoch,
        coalesce(max(case when g.is_end = 1 then g.event_epoch end), max(b.data_end_epoch)) as end_epoch
    from grouped g
    cross join bounds b
    group by g.agent_id, g.login_key, g.session_no

),

static_members as (

    select distinct e.agent_id
    from events e
    where e.agent_id is not null
      and e.event in ('CONNECT', 'PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL', 'RINGNOANSWER', 'RINGCANCELED',
                      'COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER')
      and not exists (select 1 from login_events l where l.agent_id = e.agent_id)

),

intervals as (

    -- distinct: an agent in two queues has the same interval twice
    select distinct agent_id, start_epoch, end_epoch from (
        select agent_id, start_epoch, end_epoch from intervals_from_logins where start_epoch is not null
        union all
        select s.agent_id, b.data_start_epoch, b.data_end_epoch from static_members s cross join bounds b
    ) all_intervals

),

sorted as (

    -- one order for both window passes below (tied rows must not be ordered differently in each)
    select *, row_number() over (partition by agent_id order by start_epoch, end_epoch nulls last) as interval_no
    from intervals

),

ordered as (

    select
        *,
        max(end_epoch) over (
            partition by agent_id order by interval_no rows between unbounded preceding and 1 preceding
        ) as previous_max_end
    from sorted

),

islands as (

    select
        *,
        sum(case when previous_max_end is null or start_epoch > previous_max_end then 1 else 0 end) over (
            partition by agent_id order by interval_no rows between unbounded preceding and current row
        ) as session_no
    from ordered

),

final as (

    select
        agent_id,
        session_no,
        min(start_epoch) as start_epoch,
        max(end_epoch) as end_epoch
    from islands
    group by agent_id, session_no

)

select
    agent_id || '|' || cast(session_no as {{ dbt.type_string() }}) as session_id,
    agent_id,
    session_no,
    start_epoch,
    end_epoch,
    {{ callmart.epoch_to_timestamp('start_epoch') }} as start_at_utc,
    {{ callmart.epoch_to_timestamp('end_epoch') }} as end_at_utc,
    end_epoch - start_epoch as duration_s
from final
