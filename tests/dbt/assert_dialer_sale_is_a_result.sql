{{ config(store_failures=true, severity='warn') }}
-- A business opinion, not a rule of kpis.md (is_sale is free there): a status flagged sale is
-- usually also a result of a live contact with the decision maker. A row here is a sale status that
-- is not flagged is_result (or not is_human): sales then exceed results in the funnel and
-- closure_rate (sales / human) can exceed 1. Check the dialer_statuses seed.
select
    status,
    is_human,
    is_result
from {{ ref('stg_config__dialer_statuses') }}
where is_sale and not (is_result and is_human)
