{#- One row per campaign: every campaign of the campaigns seed or seen in the dialer data, with its
    client (`default` when not configured). Grain: campaign_id. -#}
with seeded as (

    select trim(campaign_id) as campaign_id, max(nullif(trim(client_id), '')) as client_id,
           max(campaign_name) as campaign_name
    from {{ ref('campaigns') }}
    group by trim(campaign_id)

),

seen as (

    select campaign_id from {{ ref('stg_vicidial__attempts') }} where campaign_id is not null
    union
    select campaign_id from {{ ref('stg_vicidial__leads') }} where campaign_id is not null
    union
    select trim(campaign_id) from {{ ref('dialer_lists') }} where nullif(trim(campaign_id), '') is not null
    union
    select campaign_id from {{ ref('stg_crm__orders') }} where campaign_id is not null

),

all_campaigns as (

    select campaign_id from seeded
    union
    select campaign_id from seen

),

clients as (

    select * from {{ ref('stg_config__clients') }}

),

final as (

    select
        a.campaign_id,
        coalesce(s.client_id, 'default') as client_id,
        coalesce(s.campaign_name, a.campaign_id) as campaign_name,
        coalesce(c.timezone, 'UTC') as client_timezone,
        s.campaign_id is not null as is_configured
    from all_campaigns a
    left join seeded s on s.campaign_id = a.campaign_id
    left join clients c on c.client_id = coalesce(s.client_id, 'default')

)

select * from final
