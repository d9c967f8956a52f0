{#- One row per customer contact on any channel, the latest export wins. -#}

{{ config(materialized=callmart.keyed_materialization(), unique_key='contact_id', incremental_strategy='delete+insert') }}

with source as (

    select * from {{ source('crm', 'crm_contacts') }}

),

new_lines as (

    select source.*
    from source
    {{ callmart.past_staged_lines('source') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('contact_id') }} as is_latest from new_lines
    ) ranked
    where is_latest

),

renamed as (

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

),

final as (

    select renamed.*
    from renamed
    {{ callmart.at_or_past_staged_row('renamed', 'contact_id') }}

)

select * from final
