{#- One row per queue_log event, data fields named per event (Asterisk app_queue.c). -#}
{%- set wait_events = "'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'WITHDRAW'" -%}
{%- set transfer_events = "'TRANSFER', 'BLINDTRANSFER'" -%}

{{ config(materialized=callmart.keyed_materialization(), unique_key=['file_id', 'line_no'], incremental_strategy='delete+insert') }}

with source as (

    select * from {{ source('asterisk', 'queue_log') }}

),

new_lines as (

    select source.*
    from source
    {{ callmart.past_staged_lines('source') }}

),

renamed as (

    select
        _file_id as file_id,
        _line_no as line_no,
        case
            when time like '%-%'
                then {{ callmart.timestamp_to_epoch(callmart.local_text_to_utc('time', callmart.tz_literal('pbx_timezone'))) }}
            else cast(time as {{ callmart.type_double() }})
        end as event_epoch,
        nullif(nullif(callid, ''), 'NONE') as callid,
        nullif(nullif(queuename, ''), 'NONE') as queue,
        nullif(nullif(agent, ''), 'NONE') as agent,
        event,
        coalesce(data1, '') = 'LINK' and event = 'ATTENDEDTRANSFER' as is_link_transfer,
        data1, data2, data3, data4, data5, data6

    from new_lines

),

final as (

    select
        file_id,
        line_no,
        event_epoch,
        {{ callmart.epoch_to_timestamp('event_epoch') }} as event_ts_utc,
        callid,
        queue,
        agent,
        event,
        case when event = 'ENTERQUEUE' then {{ callmart.phone_hash('data2') }} end as caller_number_hash,
        case when event = 'ENTERQUEUE' then {{ callmart.phone_last4('data2') }} end as caller_number_last4,
        case when event = 'ENTERQUEUE' then nullif(data1, '') end as enter_url,
        case
            when event = 'ENTERQUEUE' then {{ callmart.num('data3') }}
            when event in ({{ wait_events }}) then {{ callmart.num('data1') }}
            when event = 'EXITWITHKEY' then {{ callmart.num('data2') }}
        end as position,
        case
            when event in ({{ wait_events }}) then {{ callmart.num('data2') }}
            when event = 'EXITWITHKEY' then {{ callmart.num('data3') }}
            when event in ('COMPLETECALLER', 'COMPLETEAGENT') then {{ callmart.num('data3') }}
            when event in ({{ transfer_events }}) then {{ callmart.num('data5') }}
            when event = 'ATTENDEDTRANSFER' and is_link_transfer then {{ callmart.num('data6') }}
            when event = 'ATTENDEDTRANSFER' then {{ callmart.num('data5') }}
        end as orig_position,
        case
            when event in ('CONNECT', 'COMPLETECALLER', 'COMPLETEAGENT') then {{ callmart.num('data1') }}
            when event in ({{ wait_events }}) then {{ callmart.num('data3') }}
            when event = 'EXITWITHKEY' then {{ callmart.num('data4') }}
            when event in ({{ transfer_events }}) then {{ callmart.num('data3') }}
            when event = 'ATTENDEDTRANSFER' and is_link_transfer then {{ callmart.num('data4') }}
            when event = 'ATTENDEDTRANSFER' then {{ callmart.num('data3') }}
        end as wait_s,
        case
            when event in ('COMPLETECALLER', 'COMPLETEAGENT') then {{ callmart.num('data2') }}
            when event in ({{ transfer_events }}) then {{ callmart.num('data4') }}
            when event = 'ATTENDEDTRANSFER' and is_link_transfer then {{ callmart.num('data5') }}
            when event = 'ATTENDEDTRANSFER' then {{ callmart.num('data4') }}
        end as talk_s,
        case when event = 'CONNECT' then {{ callmart.num('data3') }} end as ring_s,
        case when event = 'CONNECT' then nullif(data2, '') end as member_uniqueid,
        case when event in ('RINGNOANSWER', 'RINGCANCELED') then {{ callmart.num('data1') }} end as ring_ms,
        case when event = 'EXITWITHKEY' then nullif(data1, '') end as exit_key,
        case when event = 'WITHDRAW' then nullif(data4, '') end as withdraw_info,
        case when event in ({{ transfer_events }}) then nullif(data1, '') end as transfer_extension,
        case when event in ({{ transfer_events }}) then nullif(data2, '') end as transfer_context,
        case when event = 'ATTENDEDTRANSFER' then nullif(data1, '') end as transfer_method,
        case when event = 'ATTENDEDTRANSFER' then nullif(data2, '') end as transfer_target,
        case when event in ('AGENTLOGIN', 'AGENTLOGOFF') then nullif(data1, '') end as login_channel,
        case when event = 'AGENTLOGOFF' then {{ callmart.num('data2') }} end as login_s,
        case when event in ('PAUSE', 'UNPAUSE', 'PAUSEALL', 'UNPAUSEALL') then nullif(trim(data1), '') end
            as pause_reason,
        case when event = 'ADDMEMBER' then coalesce(upper(data1), '') = 'PAUSED' end as member_paused

    from renamed

)

select * from final
