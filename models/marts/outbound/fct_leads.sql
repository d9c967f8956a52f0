{#- One row per lead (database record) of the leads export, with its campaign (export, else the
    dialer_lists seed), client, entry day and what its attempts reached. Grain: lead_id. -#}
with leads as (

    select * from {{ ref('stg_vicidial__leads') }}

),

lists as (

    select * from {{ ref('stg_config__dialer_lists') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

attempts as (

    select
        lead_id,
        count(*) as attempts,
        min(start_ts_utc) as first_attempt_at_utc,
        max(start_ts_utc) as last_attempt_at_utc,
        {{ callmart.count_where('is_human') }} as human_attempts,
        max(case when is_decision_maker then 1 else 0 end) = 1 as is_reached,
        max(case when is_sale then 1 else 0 end) = 1 as is_sold
    from {{ ref('fct_dial_attempts') }}
    group by lead_id

),

final as (

    select
        l.lead_id,
        l.list_id,
        coalesce(l.campaign_id, li.campaign_id, 'none') as campaign_id,
        coalesce(c.client_id, {{ callmart.config_default('clients', 'client_id') }}) as client_id,
        l.entry_ts_utc,
        cast({{ callmart.utc_to_local('l.entry_ts_utc', "coalesce(c.client_timezone, " ~ callmart.config_default('clients', 'timezone') ~ ")") }} as date)
            as entry_date_local,
        l.status,
        l.called_count,
        coalesce(a.attempts, 0) as attempts,
        coalesce(a.attempts, 0) > 0 as is_processed,
        coalesce(a.is_reached, false) as is_reached,
        coalesce(a.is_sold, false) as is_sold,
        a.first_attempt_at_utc,
        a.last_attempt_at_utc,
        l.phone_number_hash,
        l.phone_number_last4
    from leads l
    left join lists li on li.list_id = l.list_id
    left join campaigns c on c.campaign_id = coalesce(l.campaign_id, li.campaign_id, 'none')
    left join attempts a on a.lead_id = l.lead_id

)

select * from final
