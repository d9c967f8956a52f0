{#- One row per queue_log event in log order (event_seq), with the agent spelling mapped to agent_id.
    The log order is numbered on the three sort keys alone and joined back: sorting the whole wide
    row was three times slower (benchmarks/). -#}
with events as (

    select * from {{ ref('stg_asterisk__queue_log') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

log_order as (

    select
        file_id,
        line_no,
        row_number() over (order by event_epoch, file_id, line_no) as event_seq
    from events

),

final as (

    select
        events.*,
        {{ callmart.mapped_agent_id('events.agent', 'agent_map') }} as agent_id,
        log_order.event_seq

    from events
    inner join log_order on log_order.file_id = events.file_id and log_order.line_no = events.line_no
    left join agent_map on agent_map.agent = events.agent

)

select * from final
