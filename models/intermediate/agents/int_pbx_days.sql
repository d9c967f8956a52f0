{#- One row per local day (pbx_timezone) that the queue_log or the schedules touch, with its bounds
    as UTC epochs (23 or 25 hours long on DST change days). -#}
with days as (

    select * from {{ ref('int_date_spine') }}

),

data_range as (

    select min(event_ts_utc) as first_ts, max(event_ts_utc) as last_ts
    from {{ ref('stg_asterisk__queue_log') }}
    union all
    select min(start_ts_utc), max(end_ts_utc)
    from {{ ref('stg_wfm__schedules') }}

),

bounds as (

    select
        cast({{ callmart.utc_to_local('min(first_ts)', callmart.tz_literal('pbx_timezone')) }} as date) as first_day,
        cast({{ callmart.utc_to_local('max(last_ts)', callmart.tz_literal('pbx_timezone')) }} as date) as last_day
    from data_range

),

final as (

    select
        d.date_day as date_local,
        {{ callmart.timestamp_to_epoch(callmart.local_to_utc('cast(d.date_day as ' ~ dbt.type_timestamp() ~ ')', callmart.tz_literal('pbx_timezone'))) }}
            as day_start_epoch,
        {{ callmart.timestamp_to_epoch(callmart.local_to_utc('cast(' ~ dbt.dateadd('day', 1, 'd.date_day') ~ ' as ' ~ dbt.type_timestamp() ~ ')', callmart.tz_literal('pbx_timezone'))) }}
            as day_end_epoch
    from days d
    cross join bounds b
    where d.date_day >= b.first_day and d.date_day <= b.last_day

)

select * from final
