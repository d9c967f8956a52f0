{#- Employee satisfaction per team (of the answer; `unknown` when empty) and month of the answer in
    pbx_timezone (month = its first day). Grain: team, month. -#}
with answers as (

    select
        coalesce(team, 'unknown') as team,
        cast({{ dbt.date_trunc('month', callmart.utc_to_local('response_ts_utc', callmart.tz_literal('pbx_timezone'))) }} as date)
            as month,
        score
    from {{ ref('stg_hr__esat') }}

),

counts as (

    select
        team,
        month,
        count(*) as esat_answers,
        {{ callmart.count_where('score >= 4') }} as esat_good,
        coalesce(sum(score), 0) as esat_score_sum
    from answers
    group by team, month

),

final as (

    select
        *,
        {{ callmart.safe_divide('esat_good', 'esat_answers') }} as esat_pct,
        {{ callmart.safe_divide('esat_score_sum', 'esat_answers') }} as esat_avg
    from counts

)

select * from final
