{#- First contact resolution and resolution per client, channel and client-local day. Grain:
    client_id, channel, date_local. Cases count on the day and channel of their first inbound contact. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with cases as (

    select client_id, channel, date_local, count(*) as cases, {{ callmart.count_where('is_fcr') }} as fcr_cases
    from {{ ref('fct_cases') }}
    where {{ callmart.in_rebuilt_days('date_local') }}
    group by client_id, channel, date_local

),

contacts as (

    select
        client_id, channel, date_local,
        count(*) as inbound_contacts,
        {{ callmart.count_where('is_resolved') }} as resolved_contacts
    from {{ ref('fct_contacts') }}
    where direction = 'inbound' and {{ callmart.in_rebuilt_days('date_local') }}
    group by client_id, channel, date_local

),

keys as (

    select client_id, channel, date_local from cases
    union
    select client_id, channel, date_local from contacts

),

final as (

    select
        k.client_id,
        k.channel,
        k.date_local,
        coalesce(cs.cases, 0) as cases,
        coalesce(cs.fcr_cases, 0) as fcr_cases,
        {{ callmart.safe_divide('coalesce(cs.fcr_cases, 0)', 'coalesce(cs.cases, 0)') }} as fcr_rate,
        coalesce(ct.inbound_contacts, 0) as inbound_contacts,
        coalesce(ct.resolved_contacts, 0) as resolved_contacts,
        {{ callmart.safe_divide('coalesce(ct.resolved_contacts, 0)', 'coalesce(ct.inbound_contacts, 0)') }}
            as resolution_rate
    from keys k
    left join cases cs on cs.client_id = k.client_id and cs.channel = k.channel and cs.date_local = k.date_local
    left join contacts ct on ct.client_id = k.client_id and ct.channel = k.channel and ct.date_local = k.date_local

)

select *{{ callmart.partition_day('date_local') }} from final
