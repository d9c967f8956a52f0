{#- One row per VICIdial list with its campaign (seed dialer_lists). Grain: list_id. -#}
select trim(list_id) as list_id, max(trim(campaign_id)) as campaign_id
from {{ ref('dialer_lists') }}
group by trim(list_id)
