{#- Call-level KPIs per client and local day of the call's first entry. Grain: client_id, date_local.
    service_level is always answered_within_sl / (offered - short_abandoned). A call still in progress
    counts nowhere but gives its day a row. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with calls as (

    select * from {{ ref('fct_calls') }}
    where {{ callmart.in_rebuilt_days('date_local') }}

),

counts as (

    select
        client_id,
        date_local,
        {{ callmart.count_where("is_offered") }} as offered,
        {{ callmart.count_where("is_offered and outcome = 'answered'") }} as answered,
        {{ callmart.count_where("is_offered and outcome = 'abandoned'") }} as abandoned,
        {{ callmart.count_where("is_offered and is_short_abandoned") }} as short_abandoned,
        {{ callmart.count_where("is_offered and outcome not in ('answered', 'abandoned')") }} as other_outcomes,
        {{ callmart.count_where("is_offered and is_answered_within_sl") }} as answered_within_sl,
        coalesce(sum(case when is_offered and outcome = 'answered' then wait_s end), 0) as wait_answered_s,
        {{ callmart.count_where("is_offered and is_repeat") }} as repeat_calls
    from calls
    group by client_id, date_local

),

with_sl_denominator as (

    -- call level: always offered less short abandons, whatever the queues' formulas
    select *, offered - short_abandoned as sl_denominator from counts

),

final as (

    select
        *,
        {{ callmart.safe_divide('answered_within_sl', 'sl_denominator') }} as service_level,
        {{ callmart.safe_divide('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandon_rate,
        {{ callmart.safe_divide('wait_answered_s', 'answered') }} as asa_s,
        {{ callmart.safe_divide('repeat_calls', 'answered') }} as repeat_call_rate
    from with_sl_denominator

)

select *{{ callmart.partition_day('date_local') }} from final
