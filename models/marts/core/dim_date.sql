{#- One row per calendar day from the first to the last day any source touches (plus a day either side). -#}
with spine as (

    select * from {{ ref('int_date_spine') }}

),

used as (

    select min(cast(event_ts_utc as date)) as first_day, max(cast(event_ts_utc as date)) as last_day
    from {{ ref('stg_asterisk__queue_log') }}
    union all
    select min(cast(start_ts_utc as date)), max(cast(start_ts_utc as date)) from {{ ref('stg_vicidial__attempts') }}
    union all
    select min(cast(contact_ts_utc as date)), max(cast(contact_ts_utc as date)) from {{ ref('stg_crm__contacts') }}
    union all
    select min(cast(order_ts_utc as date)), max(cast(order_ts_utc as date)) from {{ ref('stg_crm__orders') }}
    union all
    select min(cast(start_ts_utc as date)), max(cast(end_ts_utc as date)) from {{ ref('stg_wfm__schedules') }}
    union all
    select min(period_start), max(period_end) from {{ ref('stg_config__plans') }}

),

bounds as (

    select
        {{ dbt.dateadd('day', -1, 'min(first_day)') }} as first_day,
        {{ dbt.dateadd('day', 1, 'max(last_day)') }} as last_day
    from used

),

final as (

    select
        s.date_day,
        {{ dbt.date_trunc('month', 's.date_day') }} as month_start,
        {{ dbt.date_trunc('week', 's.date_day') }} as week_start,
        extract(year from s.date_day) as year,
        extract(month from s.date_day) as month,
        extract(day from s.date_day) as day_of_month,
        {{ callmart.iso_day_of_week('s.date_day') }} as iso_day_of_week,
        {{ callmart.iso_day_of_week('s.date_day') }} in (6, 7) as is_weekend
    from spine s
    cross join bounds b
    where s.date_day >= cast(b.first_day as date) and s.date_day <= cast(b.last_day as date)

)

select * from final
