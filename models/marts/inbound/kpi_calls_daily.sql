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
        sum(case when outcome = 'answered' then 1 else 0 end) as answered,
        sum(case when outcome = 'abandoned' then 1 else 0 end) as abandoned,
        sum(case when is_short_abandoned then 1 else 0 end) as short_abandoned,
        sum(case when outcome not in ('answered', 'abandoned') then 1 else 0 end) as other_outcomes,
        sum(case when is_answered_within_sl then 1 else 0 end) as answered_within_sl,
        coalesce(sum(case when outcome = 'answered' then wait_s end), 0) as wait_answered_s,
        sum(case when is_repeat then 1 else 0 end) as repeat_calls
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
