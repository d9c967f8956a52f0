{{ config(store_failures=true) }}
-- The dialer_statuses seed must nest its five funnel flags (kpis.md, Outbound): human implies
-- connected, decision maker implies human, purpose discussed implies decision maker, result implies
-- purpose discussed. is_sale and is_final are free (see assert_dialer_sale_is_a_result, a warning).
-- A row returned here is a status whose flags break the nesting; fix the seed.
select
    status,
    case
        when is_human and not is_connected then 'is_human without is_connected'
        when is_decision_maker and not is_human then 'is_decision_maker without is_human'
        when is_purpose_discussed and not is_decision_maker then 'is_purpose_discussed without is_decision_maker'
        when is_result and not is_purpose_discussed then 'is_result without is_purpose_discussed'
    end as broken_nesting
from {{ ref('stg_config__dialer_statuses') }}
where (is_human and not is_connected)
   or (is_decision_maker and not is_human)
   or (is_purpose_discussed and not is_decision_maker)
   or (is_result and not is_purpose_discussed)
