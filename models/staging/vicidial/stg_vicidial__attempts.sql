{#- One row per dial attempt (a vicidial_log row). start_epoch is UTC; call_date is dialer-local. -#}
with source as (

    select * from {{ source('vicidial', 'vicidial_log') }}

),

final as (

    select
        {{ callmart.text('uniqueid') }} as uniqueid,
        {{ callmart.int('lead_id') }} as lead_id,
        {{ callmart.text('list_id') }} as list_id,
        {{ callmart.text('campaign_id') }} as campaign_id,
        cast(nullif(call_date, '') as {{ dbt.type_timestamp() }}) as call_date_dialer_local,
        {{ callmart.epoch_to_timestamp(callmart.num('start_epoch')) }} as start_ts_utc,
        case when coalesce(end_epoch, '') not in ('', '0')
             then {{ callmart.epoch_to_timestamp(callmart.num('end_epoch')) }} end as end_ts_utc,
        coalesce({{ callmart.int('length_in_sec') }}, 0) as length_s,
        upper({{ callmart.text('status') }}) as status,
        {{ callmart.phone_hash('phone_number') }} as phone_number_hash,
        {{ callmart.phone_last4('phone_number') }} as phone_number_last4,
        {{ callmart.text(adapter.quote('user')) }} as user_name,
        {{ callmart.text('term_reason') }} as term_reason,
        _file_id as file_id,
        _line_no as line_no

    from source

)

select * from final
