{#- One row per client (seed clients, `default` always present). Grain: client_id. -#}
select
    client_id,
    client_name,
    timezone,
    reporting_currency
from {{ ref('stg_config__clients') }}
