{#- One row per VICIdial list (seed dialer_lists) with its campaign. Grain: list_id. -#}
with dialer_lists as (

    select * from {{ ref('dialer_lists') }}

),

final as (

    select
        trim(list_id) as list_id,
        trim(campaign_id) as campaign_id
    from dialer_lists

)

select * from final
