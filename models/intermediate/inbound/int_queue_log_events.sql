{#- One row per queue_log event in log order (event_seq), with the agent spelling mapped to agent_id. -#}
with events as (

    select * from {{ ref('stg_asterisk__queue_log') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

final as (

    select
        e.*,
        coalesce(m.agent_id, e.agent) as agent_id,
        row_number() over (order by e.event_epoch, e.file_id, e.line_no) as event_seq

    from events e
    left join agent_map m on m.agent = e.agent

)

select * from final
