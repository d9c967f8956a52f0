{#- Inbound KPIs per client, queue and interval (interval_minutes, local clock, identified by its UTC
    start). Grain: client_id, queue, interval_start_utc. Stints count in the interval of their entry;
    stints still in progress are not offered yet and count nowhere, but give their interval a row. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with stints as (

    select * from {{ ref('fct_queue_stints') }}
    where {{ callmart.in_rebuilt_days('date_local') }}

),

counts as (

    select
        client_id,
        queue,
        interval_start_utc,
        interval_start,
        date_local,
        sl_threshold_s,
        short_abandon_s,
        sl_target,
        sl_formula,
        {{ callmart.inbound_stint_counts() }}
    from stints
    group by client_id, queue, interval_start_utc, interval_start, date_local, sl_threshold_s, short_abandon_s,
             sl_target, sl_formula

),

rates as (

    select *, {{ callmart.inbound_stint_rates() }} from counts

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
