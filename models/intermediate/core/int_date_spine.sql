{#- One row per calendar day, 2000-01-01 to 2040-12-31. -#}
with spine as (

    {{ dbt.date_spine(datepart="day", start_date="cast('2000-01-01' as date)", end_date="cast('2041-01-01' as date)") }}

)

select cast(date_day as date) as date_day from spine
