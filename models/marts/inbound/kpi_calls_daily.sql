{#- Call-level KPIs per client and local day of the call's first entry. Grain: client_id, date_local.
    service_level is always answered_within_sl / (offered - short_abandoned). -#}
with calls as (

    select * from {{ ref('fct_calls') }}
    where is_offered

),

counts as (

    select
        client_id,
        date_local,
        count(*) as offered,
        {{ callmart.count_where("outcome = 'answered'") }} as answered,
        {{ callmart.count_where("outcome = 'abandoned'") }} as abandoned,
        {{ callmart.count_where("is_short_abandoned") }} as short_abandoned,
        {{ callmart.count_where("outcome not in ('answered', 'abandoned')") }} as other_outcomes,
        {{ callmart.count_where("is_answered_within_sl") }} as answered_within_sl,
        coalesce(sum(case when outcome = 'answered' then wait_s end), 0) as wait_answered_s,
        {{ callmart.count_where("is_repeat") }} as repeat_calls
    from calls
    group by client_id, date_local

),

final as (

    select
        *,
        {{ callmart.safe_divide('answered_within_sl', 'offered - short_abandoned') }} as service_level,
        {{ callmart.safe_divide('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandon_rate,
        {{ callmart.safe_divide('wait_answered_s', 'answered') }} as asa_s,
        {{ callmart.safe_divide('repeat_calls', 'answered') }} as repeat_call_rate
    from counts

)

select * from final
