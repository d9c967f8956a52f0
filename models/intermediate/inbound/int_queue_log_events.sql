{#- One row per queue_log event with its log-order key (event_seq) and the agent spelling mapped to
    agent_id. A view: the key is computed per row (macros/log_order.sql), so nothing here needs the
    whole log, and a model that reads recent events only (an incremental run) reads only those. -#}
{{ config(materialized='view') }}

with events as (

    select * from {{ ref('stg_asterisk__queue_log') }}

),

files as (

    select * from {{ source('loader', 'load_manifest') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

final as (

    select
        events.*,
        {{ callmart.mapped_agent_id('events.agent', 'agent_map') }} as agent_id,
        {{ callmart.log_order_key('events.event_epoch', 'files.first_line_hash', 'events.line_no') }} as event_seq

    from events
    inner join files on files.file_id = events.file_id
    left join agent_map on agent_map.agent = events.agent

)

select * from final
