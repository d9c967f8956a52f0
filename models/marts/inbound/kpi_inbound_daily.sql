{#- Inbound KPIs per client, queue and local day (client time zone). Grain: client_id, queue, date_local.
    The day's counts are the sums of its intervals (kpi_inbound_interval: an interval belongs to the
    local day of its start). Repeat calls count in the queue and day of the stint that answered them. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with intervals as (

    select * from {{ ref('kpi_inbound_interval') }}
    where {{ callmart.in_rebuilt_days('date_local') }}

),

stints as (

    select * from {{ ref('fct_queue_stints') }}
    where {{ callmart.in_rebuilt_days('date_local') }}

),

calls as (

    select * from {{ ref('fct_calls') }}

),

counts as (

    select
        client_id,
        queue,
        date_local,
        sl_threshold_s,
        short_abandon_s,
        sl_target,
        sl_formula,
        {{ callmart.inbound_count_rollup() }}
    from intervals
    group by client_id, queue, date_local, sl_threshold_s, short_abandon_s, sl_target, sl_formula

),

repeats as (

    select
        s.client_id,
        s.queue,
        s.date_local,
        count(*) as repeat_calls
    from calls c
    inner join stints s on s.stint_id = c.answering_stint_id
    where c.is_repeat and c.is_offered
    group by s.client_id, s.queue, s.date_local

),

rates as (

    select
        c.*,
        coalesce(r.repeat_calls, 0) as repeat_calls,
        {{ callmart.inbound_stint_rates() }},
        {{ callmart.safe_divide('coalesce(r.repeat_calls, 0)', 'c.answered') }} as repeat_call_rate
    from counts c
    left join repeats r on r.client_id = c.client_id and r.queue = c.queue and r.date_local = c.date_local

),

with_sl_fraction as (

    select *, {{ callmart.service_level_fraction() }} from rates

),

with_service_level as (

    select *, {{ callmart.service_level_column() }} from with_sl_fraction

),

final as (

    select *, {{ callmart.sl_target_met_column() }} from with_service_level

)

select *{{ callmart.partition_day('date_local') }} from final
