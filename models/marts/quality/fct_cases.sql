{#- One row per case that has an inbound contact, attributed to its first inbound contact (day,
    channel, queue, agent, client). FCR: that first contact was resolved, and the same customer made
    no further inbound contact (any channel, any case) within fcr_window_days after it (inclusive).
    Grain: case_id. -#}
with contacts as (

    select * from {{ ref('fct_contacts') }}
    where direction = 'inbound'

),

cases as (

    select * from {{ ref('stg_crm__cases') }}

),

first_contacts as (

    select * from (
        select
            *,
            row_number() over (partition by case_id order by contact_ts_utc nulls last, contact_id) as contact_rank
        from contacts
        where case_id is not null
    ) ranked
    where contact_rank = 1

),

repeat_contacts as (

    select distinct f.case_id
    from first_contacts f
    inner join contacts later
        on later.customer_id = f.customer_id
        and later.contact_id <> f.contact_id
        and later.contact_ts_utc > f.contact_ts_utc
        and {{ callmart.timestamp_to_epoch('later.contact_ts_utc') }}
            <= {{ callmart.timestamp_to_epoch('f.contact_ts_utc') }} + {{ var('fcr_window_days') }} * 86400
    where f.customer_id is not null

),

final as (

    select
        f.case_id,
        coalesce(c.customer_id, f.customer_id) as customer_id,
        f.client_id,
        c.category,
        c.status,
        c.opened_ts_utc,
        c.closed_ts_utc,
        f.contact_id as first_contact_id,
        f.contact_ts_utc as first_contact_at_utc,
        f.date_local,
        f.channel,
        f.queue,
        f.agent_id,
        f.is_resolved as is_first_contact_resolved,
        r.case_id is not null as has_repeat_contact,
        f.is_resolved and r.case_id is null as is_fcr
    from first_contacts f
    left join cases c on c.case_id = f.case_id
    left join repeat_contacts r on r.case_id = f.case_id

)

select * from final
