{#- One row per client; `default` (UTC, EUR) is always present, added when the clients file lacks it. -#}
with clients as (

    select * from {{ ref('clients') }}

),

default_client as (

    select
        'default' as client_id,
        'Default client' as client_name,
        'UTC' as timezone,
        'EUR' as reporting_currency

),

final as (

    select
        trim(client_id) as client_id,
        client_name,
        coalesce(nullif(trim(timezone), ''), 'UTC') as timezone,
        upper(coalesce(nullif(trim(reporting_currency), ''), 'EUR')) as reporting_currency
    from clients

    union all

    select * from default_client
    where not exists (select 1 from clients where trim(client_id) = 'default')

)

select * from final
