{{ config(store_failures=true) }}
-- Every order converts to its client's reporting currency: a row here names a currency, reporting
-- currency and local date with no row in the fx_rates seed (add it to fx_rates.csv).
select
    currency,
    reporting_currency,
    date_local as rate_date_missing,
    count(*) as orders_without_rate
from {{ ref('fct_orders') }}
where fx_rate is null
group by currency, reporting_currency, date_local
