{#- One row per stint: a caller's stay in one queue, from ENTERQUEUE to its terminal event
    (callid x queue x entry number). Outcome and wait per docs/kpis.md; in_progress until a
    terminal event arrives; handled once the answered stint's COMPLETE* or *TRANSFER arrived. -#}
{%- set terminal_events = "'CONNECT', 'ABANDON', 'EXITWITHTIMEOUT', 'EXITWITHKEY', 'EXITEMPTY', 'WITHDRAW', 'SYSCOMPAT', 'AGENTDUMP'" -%}
{%- set end_events = "'COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER'" -%}

{#- Incremental: the calls with an event in the rebuild window are assembled again from all their
    events and replace their stints. -#}
{{ config(materialized=callmart.keyed_materialization(), unique_key='callid', incremental_strategy='delete+insert') }}
-- depends_on: {{ ref('int_rebuild_window') }}

with all_events as (

    select * from {{ ref('int_queue_log_events') }}
    where callid is not null and queue is not null

),

rebuilt_calls as (

    select distinct callid from all_events where {{ callmart.in_rebuild_window('event_epoch') }}

),

events as (

    select all_events.*
    from all_events
    {%- if is_incremental() %}
    inner join rebuilt_calls on rebuilt_calls.callid = all_events.callid
    {%- endif %}

),

numbered as (

    -- each event belongs to the latest ENTERQUEUE of its callid and queue
    select
        *,
        cast(sum(case when event = 'ENTERQUEUE' then 1 else 0 end) over (
            partition by callid, queue order by event_seq rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as stint_no
    from events

),

entries as (

    select
        callid, queue, stint_no,
        event_seq as entry_seq,
        event_epoch as entered_epoch,
        caller_number_hash,
        caller_number_last4,
        position
    from numbered
    where event = 'ENTERQUEUE'

),

terminals as (

    select
        callid, queue, stint_no, event, event_seq, event_epoch, wait_s, agent_id,
        row_number() over (partition by callid, queue, stint_no order by event_seq) as terminal_rank
    from numbered
    where stint_no > 0 and event in ({{ terminal_events }})

),

first_terminal as (

    select * from terminals where terminal_rank = 1

),

call_ends as (

    select
        n.callid, n.queue, n.stint_no, n.event, n.event_epoch, n.talk_s,
        row_number() over (partition by n.callid, n.queue, n.stint_no order by n.event_seq) as end_rank
    from numbered n
    inner join first_terminal t
        on t.callid = n.callid and t.queue = n.queue and t.stint_no = n.stint_no
        and t.event = 'CONNECT' and n.event_seq > t.event_seq
    where n.event in ({{ end_events }})

),

first_end as (

    select * from call_ends where end_rank = 1

),

joined as (

    select
        e.callid,
        e.queue,
        e.stint_no,
        e.entry_seq,
        e.entered_epoch,
        e.caller_number_hash,
        e.caller_number_last4,
        e.position,
        t.event as terminal_event,
        t.event_epoch as terminal_epoch,
        case t.event
            when 'CONNECT' then 'answered'
            when 'ABANDON' then 'abandoned'
            when 'EXITWITHTIMEOUT' then 'timeout'
            when 'EXITWITHKEY' then 'exit_key'
            when 'EXITEMPTY' then 'exit_empty'
            when 'WITHDRAW' then 'withdrawn'
            when 'SYSCOMPAT' then 'failed'
            when 'AGENTDUMP' then 'failed'
            else 'in_progress'
        end as outcome,
        case
            when t.event in ('SYSCOMPAT', 'AGENTDUMP') then t.event_epoch - e.entered_epoch
            else t.wait_s
        end as wait_s,
        case when t.event = 'CONNECT' then t.agent_id end as agent_id,
        case when t.event = 'CONNECT' then t.event_epoch end as connected_epoch,
        f.event as end_event,
        f.event_epoch as ended_epoch,
        f.talk_s

    from entries e
    left join first_terminal t
        on t.callid = e.callid and t.queue = e.queue and t.stint_no = e.stint_no
    left join first_end f
        on f.callid = e.callid and f.queue = e.queue and f.stint_no = e.stint_no

),

final as (

    select
        callid || '|' || queue || '|' || cast(stint_no as {{ dbt.type_string() }}) as stint_id,
        callid,
        queue,
        stint_no,
        entry_seq,
        entered_epoch,
        {{ callmart.epoch_to_timestamp('entered_epoch') }} as entered_at_utc,
        caller_number_hash,
        caller_number_last4,
        position,
        terminal_event,
        terminal_epoch,
        outcome,
        outcome <> 'in_progress' as is_offered,
        wait_s,
        agent_id,
        connected_epoch,
        end_event,
        ended_epoch,
        end_event is not null as is_handled,
        case when end_event is not null then talk_s end as talk_s,
        coalesce(end_event in ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER'), false) as is_transferred

    from joined

)

select * from final
