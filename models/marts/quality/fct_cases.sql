{#- One row per case that has an inbound contact, attributed to its first inbound contact (day,
    channel, queue, agent, client). FCR: that first contact was resolved, and the same customer made
    no further inbound contact (any channel, any case) within fcr_window_days after it (inclusive).
    Grain: case_id. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

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

customer_contact_times as (

    select distinct customer_id, contact_ts_utc
    from contacts
    where customer_id is not null and contact_ts_utc is not null

),

{#- The customer's next inbound contact strictly after each of their contact times: one window
    pass, where a self-join on the customer would pair every two contacts of a frequent caller. -#}
next_contact_times as (

    select
        customer_id,
        contact_ts_utc,
        lead(contact_ts_utc) over (partition by customer_id order by contact_ts_utc) as next_contact_ts_utc
    from customer_contact_times

),

repeat_contacts as (

    select first_contacts.case_id
    from first_contacts
    inner join next_contact_times
        on next_contact_times.customer_id = first_contacts.customer_id
        and next_contact_times.contact_ts_utc = first_contacts.contact_ts_utc
    where {{ callmart.timestamp_to_epoch('next_contact_times.next_contact_ts_utc') }}
        <= {{ callmart.timestamp_to_epoch('first_contacts.contact_ts_utc') }} + {{ var('fcr_window_days') }} * 86400

),

final as (

    select
        first_contacts.case_id,
        coalesce(cases.customer_id, first_contacts.customer_id) as customer_id,
        first_contacts.client_id,
        cases.category,
        cases.status,
        cases.opened_ts_utc,
        cases.closed_ts_utc,
        first_contacts.contact_id as first_contact_id,
        first_contacts.contact_ts_utc as first_contact_at_utc,
        first_contacts.date_local,
        first_contacts.channel,
        first_contacts.queue,
        first_contacts.agent_id,
        first_contacts.is_resolved as is_first_contact_resolved,
        repeat_contacts.case_id is not null as has_repeat_contact,
        first_contacts.is_resolved and repeat_contacts.case_id is null as is_fcr
    from first_contacts
    left join cases on cases.case_id = first_contacts.case_id
    left join repeat_contacts on repeat_contacts.case_id = first_contacts.case_id
    where {{ callmart.in_rebuilt_days('first_contacts.date_local') }}

)

select *{{ callmart.partition_day('date_local') }} from final
