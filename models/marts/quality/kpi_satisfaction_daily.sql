{#- CSAT and NPS per client, channel and client-local day of the contact each answer rates (an
    answer about an unknown contact: client `default`, channel `unknown`, its own day in UTC).
    Grain: client_id, channel, date_local. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with surveys as (

    select * from {{ ref('stg_crm__surveys') }}

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

rated as (

    select
        coalesce(c.client_id, {{ callmart.config_default('clients', 'client_id') }}) as client_id,
        coalesce(c.channel, 'unknown') as channel,
        coalesce(c.date_local, cast(s.response_ts_utc as date)) as date_local,
        s.survey,
        s.score
    from surveys s
    left join contacts c on c.contact_id = s.contact_id
    where {{ callmart.in_rebuilt_days('coalesce(c.date_local, cast(s.response_ts_utc as date))') }}

),

counts as (

    select
        client_id,
        channel,
        date_local,
        {{ callmart.count_where("survey = 'csat'") }} as csat_answers,
        {{ callmart.count_where("survey = 'csat' and score >= 4") }} as csat_good,
        coalesce(sum(case when survey = 'csat' then score end), 0) as csat_score_sum,
        {{ callmart.count_where("survey = 'nps'") }} as nps_answers,
        {{ callmart.count_where("survey = 'nps' and score >= 9") }} as promoters,
        {{ callmart.count_where("survey = 'nps' and score <= 6") }} as detractors
    from rated
    group by client_id, channel, date_local

),

final as (

    select
        *,
        {{ callmart.safe_divide('csat_good', 'csat_answers') }} as csat_pct,
        {{ callmart.safe_divide('csat_score_sum', 'csat_answers') }} as csat_avg,
        {{ callmart.safe_divide('100 * (promoters - detractors)', 'nps_answers') }} as nps
    from counts

)

select *{{ callmart.partition_day('date_local') }} from final
