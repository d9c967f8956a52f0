{#- One row per campaign: every campaign of the campaigns seed or seen in the dialer data, with its
    client (`default` when not configured) and the client's time zone. Grain: campaign_id. -#}
with configured as (

    select * from {{ ref('stg_config__campaigns') }}

),

seen as (

    select campaign_id from {{ ref('stg_vicidial__attempts') }} where campaign_id is not null
    union
    select campaign_id from {{ ref('stg_vicidial__leads') }} where campaign_id is not null
    union
    select campaign_id from {{ ref('stg_config__dialer_lists') }}
    union
    select campaign_id from {{ ref('stg_crm__orders') }} where campaign_id is not null

),

all_campaigns as (

    select campaign_id from configured
    union
    select campaign_id from seen

),

clients as (

    select * from {{ ref('stg_config__clients') }}

),

final as (

    select
        all_campaigns.campaign_id,
        coalesce(configured.client_id, {{ config_default('campaigns', 'client_id') }}) as client_id,
        coalesce(configured.campaign_name, all_campaigns.campaign_id) as campaign_name,
        coalesce(clients.timezone, {{ config_default('clients', 'timezone') }}) as client_timezone,
        configured.campaign_id is not null as is_configured
    from all_campaigns
    left join configured on configured.campaign_id = all_campaigns.campaign_id
    left join clients
        on clients.client_id = coalesce(configured.client_id, {{ config_default('campaigns', 'client_id') }})

)

select * from final
