{#- One row per configured campaign (seed campaigns) with its client. Grain: campaign_id. -#}
with campaigns as (

    select * from {{ ref('campaigns') }}

),

final as (

    select
        trim(campaign_id) as campaign_id,
        coalesce(nullif(trim(client_id), ''), {{ config_default('campaigns', 'client_id') }}) as client_id,
        coalesce(nullif(trim(campaign_name), ''), trim(campaign_id)) as campaign_name
    from campaigns

)

select * from final
