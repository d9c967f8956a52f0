{#- One row per queue_log event in log order (event_seq), with the agent spelling mapped to agent_id.
    The log order and the agent mapping are computed on the narrow keys alone (file, line, epoch,
    agent) and joined back to the wide rows once: sorting the whole wide row was three times
    slower, and a second join of the wide rows to the agent map doubled the model's time
    (benchmarks/). -#}
with events as (

    select * from {{ ref('stg_asterisk__queue_log') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

log_order as (

    select
        events.file_id,
        events.line_no,
        {{ callmart.mapped_agent_id('events.agent', 'agent_map') }} as agent_id,
        row_number() over (order by events.event_epoch, events.file_id, events.line_no) as event_seq

    from events
    left join agent_map on agent_map.agent = events.agent

),

final as (

    select
        events.*,
        log_order.agent_id,
        log_order.event_seq

    from events
    inner join log_order on log_order.file_id = events.file_id and log_order.line_no = events.line_no

)

select * from final
