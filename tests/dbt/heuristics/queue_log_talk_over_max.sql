{{ config(store_failures=true, severity='warn') }}
-- Talk time above max_talk_hours (var, 4): a stuck channel or a clock jump inflates talk and AHT.
select
    callid,
    queue,
    agent,
    event,
    talk_s
from {{ ref('stg_asterisk__queue_log') }}
where talk_s > {{ var('max_talk_hours') }} * 3600
