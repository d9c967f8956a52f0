{#- One row per queue: every queue of the queues seed or seen in queue_log, with its settings (a
    queue missing from the seed takes the defaults of config_default and client `default`) and its
    client's time zone. Grain: queue. -#}
with configured as (

    select * from {{ ref('stg_config__queues') }}

),

seen as (

    select distinct queue
    from {{ ref('stg_asterisk__queue_log') }}
    where queue is not null

),

all_queues as (

    select queue from configured
    union
    select queue from seen

),

clients as (

    select * from {{ ref('stg_config__clients') }}

),

with_settings as (

    select
        all_queues.queue,
        coalesce(configured.client_id, {{ config_default('queues', 'client_id') }}) as client_id,
        coalesce(configured.sl_threshold_s, {{ config_default('queues', 'sl_threshold_s') }}) as sl_threshold_s,
        coalesce(configured.sl_target, {{ config_default('queues', 'sl_target') }}) as sl_target,
        coalesce(configured.short_abandon_s, {{ config_default('queues', 'short_abandon_s') }}) as short_abandon_s,
        coalesce(configured.sl_formula, {{ config_default('queues', 'sl_formula') }}) as sl_formula,
        configured.queue is not null as is_configured
    from all_queues
    left join configured on configured.queue = all_queues.queue

),

final as (

    select
        with_settings.*,
        coalesce(clients.timezone, {{ config_default('clients', 'timezone') }}) as client_timezone
    from with_settings
    left join clients on clients.client_id = with_settings.client_id

)

select * from final
