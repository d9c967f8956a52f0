{#- One row per cdr_csv record; times converted from pbx_timezone to UTC, numbers hashed. -#}
{{ config(materialized=callmart.keyed_materialization(), unique_key=['file_id', 'line_no'], incremental_strategy='delete+insert') }}

with source as (

    select * from {{ source('asterisk', 'cdr') }}

),

new_records as (

    select source.*
    from source
    {{ callmart.past_staged_lines('source') }}

),

final as (

    select
        _file_id as file_id,
        _line_no as line_no,
        {{ callmart.text('accountcode') }} as account_code,
        {{ callmart.phone_hash('src') }} as src_number_hash,
        {{ callmart.phone_last4('src') }} as src_number_last4,
        {{ callmart.text('dst') }} as dst,
        {{ callmart.text('dcontext') }} as dst_context,
        {{ callmart.text('channel') }} as channel,
        {{ callmart.text('dstchannel') }} as dst_channel,
        {{ callmart.text('lastapp') }} as last_app,
        {{ callmart.text('lastdata') }} as last_data,
        {{ callmart.local_text_to_utc(adapter.quote('start'), callmart.tz_literal('pbx_timezone')) }} as start_ts_utc,
        {{ callmart.local_text_to_utc(adapter.quote('answer'), callmart.tz_literal('pbx_timezone')) }} as answer_ts_utc,
        {{ callmart.local_text_to_utc(adapter.quote('end'), callmart.tz_literal('pbx_timezone')) }} as end_ts_utc,
        {{ callmart.int('duration') }} as duration_s,
        {{ callmart.int('billsec') }} as billsec_s,
        {{ callmart.text('disposition') }} as disposition,
        {{ callmart.text('amaflags') }} as ama_flags,
        {{ callmart.text('uniqueid') }} as uniqueid,
        {{ callmart.text('userfield') }} as user_field,
        {{ callmart.text('peeraccount') }} as peer_account,
        {{ callmart.text('linkedid') }} as linkedid,
        {{ callmart.text('sequence') }} as sequence

    from new_records

)

select * from final
