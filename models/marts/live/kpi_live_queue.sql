{#- Each queue now (the newest queue_log event loaded, as_of_utc): calls waiting and the longest
    current wait, the agents who serve it by state (int_live_queue_members), and today's figures so
    far (today: the client's local day of as_of_utc, from kpi_inbound_daily, so the formulas are
    those of the daily mart). A call counts as waiting while its stint has no terminal event and no
    CONNECT, for at most live_stale_hours (older ones lost their terminal event). Grain: client_id,
    queue. -#}
with queues as (

    select * from {{ ref('dim_queue') }}

),

clients as (

    select * from {{ ref('dim_client') }}

),

stints as (

    select * from {{ ref('fct_queue_stints') }}

),

members as (

    select * from {{ ref('int_live_queue_members') }}

),

queue_days as (

    select * from {{ ref('kpi_inbound_daily') }}

),

now_epoch as (

    select max(as_of_epoch) as as_of_epoch from {{ ref('int_live_agent_states') }}

),

waiting as (

    select
        stints.queue,
        count(*) as calls_waiting,
        max(now_epoch.as_of_epoch - stints.entered_epoch) as longest_wait_s
    from stints
    cross join now_epoch
    where stints.outcome = 'in_progress' and stints.connected_epoch is null
      and stints.entered_epoch <= now_epoch.as_of_epoch
      and stints.entered_epoch > now_epoch.as_of_epoch - {{ var('live_stale_hours') }} * 3600
    group by stints.queue

),

agents as (

    select
        queue,
        count(*) as agents_logged_in,
        {{ callmart.count_where("state = 'available'") }} as agents_available,
        {{ callmart.count_where("state = 'paused'") }} as agents_paused,
        {{ callmart.count_where("state = 'on_call'") }} as agents_on_call
    from members
    group by queue

),

with_today as (

    select
        queues.client_id,
        queues.queue,
        queues.sl_target,
        cast({{ callmart.utc_to_local(callmart.epoch_to_timestamp('now_epoch.as_of_epoch'), 'clients.timezone') }}
             as date) as today_local,
        now_epoch.as_of_epoch
    from queues
    inner join clients on clients.client_id = queues.client_id
    cross join now_epoch

),

final as (

    select
        with_today.client_id,
        with_today.queue,
        coalesce(waiting.calls_waiting, 0) as calls_waiting,
        waiting.longest_wait_s,
        coalesce(agents.agents_logged_in, 0) as agents_logged_in,
        coalesce(agents.agents_available, 0) as agents_available,
        coalesce(agents.agents_paused, 0) as agents_paused,
        coalesce(agents.agents_on_call, 0) as agents_on_call,
        with_today.today_local as date_local,
        coalesce(queue_days.offered, 0) as offered,
        coalesce(queue_days.answered, 0) as answered,
        coalesce(queue_days.abandoned, 0) as abandoned,
        queue_days.service_level,
        with_today.sl_target,
        queue_days.abandon_rate,
        queue_days.asa_s,
        {{ callmart.epoch_to_timestamp('with_today.as_of_epoch') }} as as_of_utc
    from with_today
    left join waiting on waiting.queue = with_today.queue
    left join agents on agents.queue = with_today.queue
    left join queue_days
        on queue_days.client_id = with_today.client_id
       and queue_days.queue = with_today.queue
       and queue_days.date_local = with_today.today_local

)

select * from final
