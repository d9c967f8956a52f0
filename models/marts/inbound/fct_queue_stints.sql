{#- One row per queue stint (callid x queue entry): outcome, wait, talk, ACW, agent, and the
    client day and interval of its queue entry. Incremental: the rebuilt days (macros/incremental.sql). -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with stints as (

    select * from {{ ref('int_queue_stints') }}
    where {{ callmart.in_rebuild_window('entered_epoch') }}

),

queues as (

    select * from {{ ref('int_queues') }}

),

acw as (

    select * from {{ ref('int_stint_acw') }}

),

localized as (

    select
        s.*,
        q.client_id,
        q.sl_threshold_s,
        q.short_abandon_s,
        q.sl_target,
        q.sl_formula,
        {{ callmart.utc_to_local('s.entered_at_utc', 'q.client_timezone') }} as entered_at_local,
        coalesce(a.acw_s, 0) as acw_s_attached
    from stints s
    inner join queues q on q.queue = s.queue
    left join acw a on a.stint_id = s.stint_id

),

intervals as (

    select
        *,
        {{ callmart.timestamp_to_epoch('entered_at_local') }} as entered_local_epoch
    from localized

),

final as (

    select
        stint_id,
        callid,
        queue,
        stint_no,
        client_id,
        entered_at_utc,
        entered_at_local,
        cast(entered_at_local as date) as date_local,
        {{ callmart.epoch_to_timestamp('entered_epoch - (entered_local_epoch - ' ~ callmart.interval_floor('entered_local_epoch') ~ ')') }}
            as interval_start_utc,
        {{ callmart.epoch_to_timestamp(callmart.interval_floor('entered_local_epoch')) }} as interval_start,
        outcome,
        is_offered,
        wait_s,
        {{ callmart.epoch_to_timestamp('terminal_epoch') }} as terminal_at_utc,
        terminal_event,
        agent_id,
        {{ callmart.epoch_to_timestamp('connected_epoch') }} as connected_at_utc,
        is_handled,
        end_event,
        {{ callmart.epoch_to_timestamp('ended_epoch') }} as ended_at_utc,
        talk_s,
        case when is_handled then acw_s_attached end as acw_s,
        is_transferred,
        sl_threshold_s,
        short_abandon_s,
        sl_target,
        sl_formula,
        outcome = 'answered' and wait_s <= sl_threshold_s as is_answered_within_sl,
        outcome = 'abandoned' and wait_s <= sl_threshold_s as is_abandoned_within_sl,
        outcome = 'abandoned' and wait_s < short_abandon_s as is_short_abandoned,
        caller_number_hash,
        caller_number_last4,
        position,
        entered_epoch,
        terminal_epoch,
        connected_epoch,
        ended_epoch,
        entry_seq

    from intervals
    where {{ callmart.in_rebuilt_days('cast(entered_at_local as date)') }}

)

select *{{ callmart.partition_day('date_local') }} from final
