{#- One row per pause reason (seed pause_reasons), matched case-insensitively, with its category.
    Grain: reason (lower case). -#}
with pause_reasons as (

    select * from {{ ref('pause_reasons') }}

),

final as (

    select
        lower(trim(reason)) as reason,
        lower(coalesce(nullif(trim(category), ''), {{ config_default('pause_reasons', 'category') }})) as category
    from pause_reasons

)

select * from final
