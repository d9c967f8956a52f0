{#- One row per case (ticket), the latest export wins (a later export closes a case). -#}
with source as (

    select * from {{ source('crm', 'crm_cases') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('case_id') }} as is_latest from source
    ) ranked
    where is_latest

),

final as (

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

)

select * from final
