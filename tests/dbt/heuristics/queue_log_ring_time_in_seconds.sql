{{ config(store_failures=true, severity='warn') }}
-- RINGNOANSWER/RINGCANCELED ring times are milliseconds; values under 1000 look like seconds (a
-- dialplan or an old Asterisk writing seconds).
select
    callid,
    queue,
    agent,
    event,
    ring_ms
from {{ ref('stg_asterisk__queue_log') }}
where event in ('RINGNOANSWER', 'RINGCANCELED')
  and ring_ms > 0
  and ring_ms < 1000
