{#- One row per campaign (seed campaigns or seen in the dialer data or orders), plus `none` for
    orders and attempts without one. Grain: campaign_id. -#}
select campaign_id, client_id, campaign_name, is_configured
from {{ ref('int_campaigns') }}
where campaign_id <> 'none'

union all

select 'none', {{ callmart.config_default('campaigns', 'client_id') }}, 'No campaign', false
