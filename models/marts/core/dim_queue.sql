{#- One row per queue, configured or seen in queue_log, with its service-level settings. Grain: queue. -#}
select
    queue,
    client_id,
    sl_threshold_s,
    sl_target,
    short_abandon_s,
    sl_formula,
    is_configured
from {{ ref('int_queues') }}
