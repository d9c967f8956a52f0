{{ config(store_failures=true, severity='warn') }}
-- The latest day's offered calls in a queue, up to its latest interval, are more than
-- volume_drop_pct (var, 50) % below the mean of the same weekday over the previous four weeks up to
-- the same time of day (only where that mean is at least volume_min_calls, var 20): a lost file or a
-- stopped feed, or a real drop worth a look.
with

intervals as (
    select
        queue,
        date_local,
        offered,
        {{ callmart.seconds_between('cast(date_local as ' ~ dbt.type_timestamp() ~ ')', 'interval_start') }}
            as time_of_day_s
    from {{ ref('kpi_inbound_interval') }}
),

latest_day as (
    select
        queue,
        max(date_local) as date_local
    from intervals
    group by queue
),

latest_day_intervals as (
    select intervals.*
    from intervals
    inner join latest_day
        on latest_day.queue = intervals.queue
        and latest_day.date_local = intervals.date_local
),

latest_day_totals as (
    select
        queue,
        max(date_local) as date_local,
        max(time_of_day_s) as up_to_s,
        sum(offered) as offered
    from latest_day_intervals
    group by queue
),

same_weekday_before as (
    select
        intervals.queue,
        sum(intervals.offered) * 1.0 / count(distinct intervals.date_local) as usual_offered,
        count(distinct intervals.date_local) as weekdays_compared
    from intervals
    inner join latest_day_totals
        on latest_day_totals.queue = intervals.queue
    where intervals.date_local < latest_day_totals.date_local
      and intervals.date_local >= {{ dbt.dateadd('day', -28, 'latest_day_totals.date_local') }}
      and {{ callmart.iso_day_of_week('intervals.date_local') }}
          = {{ callmart.iso_day_of_week('latest_day_totals.date_local') }}
      and intervals.time_of_day_s <= latest_day_totals.up_to_s
    group by intervals.queue
),

final as (
    select
        same_weekday_before.queue,
        coalesce(latest_day_totals.offered, 0) as offered_latest_day,
        round(same_weekday_before.usual_offered, 1) as usual_same_weekday,
        same_weekday_before.weekdays_compared
    from same_weekday_before
    left join latest_day_totals
        on latest_day_totals.queue = same_weekday_before.queue
    where same_weekday_before.usual_offered >= {{ var('volume_min_calls') }}
      and coalesce(latest_day_totals.offered, 0)
          < same_weekday_before.usual_offered * (1 - {{ var('volume_drop_pct') }} / 100.0)
)

select * from final
