{#- One row per exchange rate (seed fx_rates): reporting units per one unit of currency on a day.
    Grain: rate_date, currency, reporting_currency. -#}
with fx_rates as (

    select * from {{ ref('fx_rates') }}

),

final as (

    select
        cast(rate_date as date) as rate_date,
        upper(trim(currency)) as currency,
        upper(trim(reporting_currency)) as reporting_currency,
        cast(rate as {{ callmart.type_double() }}) as rate
    from fx_rates

)

select * from final
