{#- One row per customer contact on any channel, the latest export wins. -#}
with source as (

    select * from {{ source('crm', 'crm_contacts') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('contact_id') }} as is_latest from source
    ) ranked
    where is_latest

),

final as (

    select
        {{ callmart.text('contact_id') }} as contact_id,
        {{ callmart.iso_to_utc('contact_ts') }} as contact_ts_utc,
        lower({{ callmart.text('channel') }}) as channel,
        lower({{ callmart.text('direction') }}) as direction,
        {{ callmart.text('customer_id') }} as customer_id,
        {{ callmart.text('case_id') }} as case_id,
        {{ callmart.text('agent') }} as agent,
        {{ callmart.text('queue') }} as queue,
        {{ callmart.text('campaign_id') }} as campaign_id,
        {{ callmart.text('callid') }} as callid,
        coalesce({{ callmart.bool('resolved') }}, false) as is_resolved,
        _file_id as file_id,
        _line_no as line_no

    from latest

)

select * from final
