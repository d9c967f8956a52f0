{#- One row per case (ticket), the latest export wins (a later export closes a case). -#}

{{ config(materialized=callmart.keyed_materialization(), unique_key='case_id', incremental_strategy='delete+insert') }}

with source as (

    select * from {{ source('crm', 'crm_cases') }}

),

new_lines as (

    select source.*
    from source
    {{ callmart.past_staged_lines('source') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('case_id') }} as is_latest from new_lines
    ) ranked
    where is_latest

),

renamed as (

    select
        {{ callmart.text('case_id') }} as case_id,
        {{ callmart.text('customer_id') }} as customer_id,
        {{ callmart.text('client_id') }} as client_id,
        {{ callmart.text('category') }} as category,
        {{ callmart.iso_to_utc('opened_ts') }} as opened_ts_utc,
        {{ callmart.iso_to_utc('closed_ts') }} as closed_ts_utc,
        lower({{ callmart.text('status') }}) as status,
        _file_id as file_id,
        _line_no as line_no

    from latest

),

final as (

    select renamed.*
    from renamed
    {{ callmart.at_or_past_staged_row('renamed', 'case_id') }}

)

select * from final
