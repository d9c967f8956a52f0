{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'fct_queue_stints'}}}) }}
-- An ENTERQUEUE older than queue_log_open_hours (var, 4) before the newest queue_log event has no
-- terminal event: the stint stays in progress and is never offered (a lost line, or a log that
-- stopped mid-call).
with

stints as (
    select * from {{ ref('fct_queue_stints') }}
),

newest_event as (
    select max(event_epoch) as newest_epoch from {{ ref('stg_asterisk__queue_log') }}
),

final as (
    select
        stints.callid,
        stints.queue,
        stints.entered_at_utc
    from stints
    cross join newest_event
    where stints.outcome = 'in_progress'
      and stints.entered_epoch < newest_event.newest_epoch - {{ var('queue_log_open_hours') }} * 3600
)

select * from final
