{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'stg_asterisk__queue_log'}}}) }}
-- A CONNECT has no COMPLETECALLER, COMPLETEAGENT or transfer within queue_log_open_hours (var, 4)
-- while the log has run past that: a lost end event leaves the stint answered but never handled
-- (no talk, no AHT).
with

queue_log as (
    select * from {{ ref('stg_asterisk__queue_log') }}
),

newest_event as (
    select max(event_epoch) as newest_epoch from queue_log
),

connects as (
    select queue_log.callid, queue_log.queue, queue_log.agent, queue_log.event_epoch, queue_log.event_ts_utc
    from queue_log
    cross join newest_event
    where queue_log.event = 'CONNECT'
      and queue_log.event_epoch < newest_event.newest_epoch - {{ var('queue_log_open_hours') }} * 3600
),

completions as (
    select callid, queue, event_epoch
    from queue_log
    where event in ('COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER')
),

final as (
    select
        connects.callid,
        connects.queue,
        connects.agent,
        connects.event_ts_utc as connected_at_utc
    from connects
    left join completions
        on completions.callid = connects.callid
        and completions.queue = connects.queue
        and completions.event_epoch >= connects.event_epoch
        and completions.event_epoch <= connects.event_epoch + {{ var('queue_log_open_hours') }} * 3600
    where completions.callid is null
)

select * from final
