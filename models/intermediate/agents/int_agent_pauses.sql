{#- One row per pause span of an agent inside logged-in time, with its category (seed pause_reasons,
    unknown reasons `other`). PAUSE/PAUSEALL start or change a pause, UNPAUSE/UNPAUSEALL end it
    (per agent, across queues: PAUSEALL and the per-queue PAUSE lines Asterisk writes with it are one
    pause); an ADDMEMBER with PAUSED starts a pause of category `other`; logging off ends a pause and
    the next login starts unpaused. An agent's sessions never overlap or touch (int_agent_sessions), so
    a pause event belongs to the session that started last at or before it, if that one has not ended:
    found with one window over the agent's session starts and pause events (joined on the agent alone,
    every pause event met every session of its agent, millions of pairs per agent over a quarter). -#}
with events as (

    select * from {{ ref('int_queue_log_events') }}

),

sessions as (

    select * from {{ ref('int_agent_sessions') }}

),

reasons as (

    select * from {{ ref('stg_config__pause_reasons') }}

),

pause_events as (

    select
        e.agent_id,
        e.event_epoch,
        e.event_seq,
        case
            when e.event in ('UNPAUSE', 'UNPAUSEALL') then null
            when e.event = 'ADDMEMBER' then 'other'
            else coalesce(r.category, {{ config_default('pause_reasons', 'category') }})
        end as state
    from events e
    left join reasons r on r.reason = lower(e.pause_reason)
    where e.agent_id is not null
      and (e.event in ('PAUSE', 'PAUSEALL', 'UNPAUSE', 'UNPAUSEALL')
           or (e.event = 'ADDMEMBER' and e.member_paused))

),

starts_and_pauses as (

    select agent_id, start_epoch as event_epoch, 0 as event_rank, 0 as event_seq,
           start_epoch as session_start_epoch, cast(null as {{ dbt.type_string() }}) as state
    from sessions

    union all

    select agent_id, event_epoch, 1 as event_rank, event_seq,
           cast(null as {{ callmart.type_double() }}) as session_start_epoch, state
    from pause_events

),

located_pauses as (

    select
        agent_id,
        event_epoch,
        event_seq,
        state,
        max(session_start_epoch) over (
            partition by agent_id order by event_epoch, event_rank, event_seq
            rows between unbounded preceding and current row
        ) as session_start_epoch,
        event_rank
    from starts_and_pauses

),

changes as (

    -- session start (unpaused), pause events inside the session, session end
    select s.session_id, s.agent_id, s.start_epoch as event_epoch, 0 as event_rank, 0 as event_seq,
           cast(null as {{ dbt.type_string() }}) as state
    from sessions s

    union all

    select s.session_id, p.agent_id, p.event_epoch, 1 as event_rank, p.event_seq, p.state
    from located_pauses p
    inner join sessions s
        on s.agent_id = p.agent_id and s.start_epoch = p.session_start_epoch
    where p.event_rank = 1 and p.event_epoch <= s.end_epoch

    union all

    select s.session_id, s.agent_id, s.end_epoch, 2, 0, '#end'
    from sessions s

),

sequenced as (

    select
        *,
        row_number() over (partition by session_id order by event_epoch, event_rank, event_seq) as change_no
    from changes

),

with_previous as (

    select
        *,
        lag(state) over (partition by session_id order by change_no) as previous_state
    from sequenced

),

state_changes as (

    select * from with_previous
    where change_no = 1 or coalesce(state, '#none') <> coalesce(previous_state, '#none')

),

spans as (

    select
        session_id,
        agent_id,
        state as category,
        event_epoch as start_epoch,
        lead(event_epoch) over (partition by session_id order by change_no) as end_epoch
    from state_changes

),

final as (

    select
        session_id,
        agent_id,
        category,
        start_epoch,
        end_epoch,
        {{ callmart.epoch_to_timestamp('start_epoch') }} as start_at_utc,
        {{ callmart.epoch_to_timestamp('end_epoch') }} as end_at_utc,
        end_epoch - start_epoch as duration_s
    from spans
    where category is not null and category <> '#end' and end_epoch > start_epoch

)

select * from final
