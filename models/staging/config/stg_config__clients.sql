{#- One row per client (seed clients); the `default` client is always present, added when the file
    lacks it. Grain: client_id. -#}
with clients as (

    select * from {{ ref('clients') }}

),

renamed as (

    select
        ---------- ids
        trim(client_id) as client_id,

        ---------- settings
        coalesce(nullif(trim(client_name), ''), trim(client_id)) as client_name,
        coalesce(nullif(trim(timezone), ''), {{ config_default('clients', 'timezone') }}) as timezone,
        upper(coalesce(nullif(trim(reporting_currency), ''), {{ config_default('clients', 'reporting_currency') }}))
            as reporting_currency
    from clients

),

default_client as (

    select
        {{ config_default('clients', 'client_id') }} as client_id,
        {{ config_default('clients', 'client_name') }} as client_name,
        {{ config_default('clients', 'timezone') }} as timezone,
        {{ config_default('clients', 'reporting_currency') }} as reporting_currency

),

final as (

    select * from renamed

    union all

    select * from default_client
    where not exists (
        select 1 from renamed where renamed.client_id = {{ config_default('clients', 'client_id') }}
    )

)

select * from final
