{{ config(store_failures=true, severity='error') }}
-- billsec is larger than duration: the CDR is corrupt (answer before start?). billsec is the
-- answered part of the call's duration (data-contract.md), so it can never exceed it.
select
    uniqueid,
    start_ts_utc,
    duration_s,
    billsec_s
from {{ ref('stg_asterisk__cdr') }}
where billsec_s > duration_s
