{#- One row per lead (database record), the latest export wins. entry_date is dialer-local. -#}
with source as (

    select * from {{ source('vicidial', 'vicidial_list') }}

),

latest as (

    select *
    from (
        select *, {{ callmart.latest_row_filter('lead_id') }} as is_latest
        from source
    ) ranked
    where is_latest

),

final as (

    select
        {{ callmart.int('lead_id') }} as lead_id,
        cast(nullif(entry_date, '') as {{ dbt.type_timestamp() }}) as entry_date_dialer_local,
        {{ callmart.local_text_to_utc('entry_date', callmart.tz_literal('dialer_timezone')) }} as entry_ts_utc,
        {{ callmart.text('list_id') }} as list_id,
        {{ callmart.text('campaign_id') }} as campaign_id,
        {{ callmart.text('status') }} as status,
        {{ callmart.phone_hash('phone_number') }} as phone_number_hash,
        {{ callmart.phone_last4('phone_number') }} as phone_number_last4,
        {{ callmart.int('called_count') }} as called_count,
        _file_id as file_id,
        _line_no as line_no

    from latest

)

select * from final
