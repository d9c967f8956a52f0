{#- One row per scheduled span of an agent (agent spelling mapped), `off` excluded, cut at the newest
    event of the queue_log (scheduled time after it is not counted yet). -#}
with schedules as (

    select * from {{ ref('stg_wfm__schedules') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

newest as (

    select max(event_epoch) as data_end_epoch from {{ ref('stg_asterisk__queue_log') }}

),

final as (

    select
        {{ callmart.mapped_agent_id('s.agent', 'm') }} as agent_id,
        s.activity,
        {{ callmart.timestamp_to_epoch('s.start_ts_utc') }} as start_epoch,
        least({{ callmart.timestamp_to_epoch('s.end_ts_utc') }}, coalesce(n.data_end_epoch, 0)) as end_epoch
    from schedules s
    left join agent_map m on m.agent = s.agent
    cross join newest n
    where s.activity <> 'off'

)

select * from final where end_epoch > start_epoch
