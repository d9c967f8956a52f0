{{ config(store_failures=true, severity='warn') }}
-- A wait above queue_timeout_s (var, 1800): check the queue's timeout or the log's clock.
select
    callid,
    queue,
    event,
    wait_s
from {{ ref('stg_asterisk__queue_log') }}
where wait_s > {{ var('queue_timeout_s') }}
