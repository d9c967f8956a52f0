{#- One row per queue: every queue in the queues seed or seen in queue_log, with its settings
    (a queue missing from the seed takes 20 s, 0.80, 5 s, offered_excl_short and client `default`). -#}
with seeded as (

    select * from {{ ref('queues') }}

),

seen as (

    select distinct queue
    from {{ ref('stg_asterisk__queue_log') }}
    where queue is not null

),

all_queues as (

    select trim(queue) as queue from seeded
    union
    select queue from seen

),

clients as (

    select * from {{ ref('stg_config__clients') }}

),

final as (

    select
        q.queue,
        coalesce(nullif(trim(s.client_id), ''), 'default') as client_id,
        coalesce(c.timezone, 'UTC') as client_timezone,
        coalesce(s.sl_threshold_s, 20) as sl_threshold_s,
        coalesce(s.sl_target, 0.80) as sl_target,
        coalesce(s.short_abandon_s, 5) as short_abandon_s,
        coalesce(nullif(lower(trim(s.sl_formula)), ''), 'offered_excl_short') as sl_formula,
        s.queue is not null as is_configured

    from all_queues q
    left join seeded s on trim(s.queue) = q.queue
    left join clients c on c.client_id = coalesce(nullif(trim(s.client_id), ''), 'default')

)

select * from final
