{#- One row per configured queue (seed queues) with its service-level settings; an empty cell takes
    the default. Grain: queue. -#}
with queues as (

    select * from {{ ref('queues') }}

),

final as (

    select
        ---------- ids
        trim(queue) as queue,
        coalesce(nullif(trim(client_id), ''), {{ config_default('queues', 'client_id') }}) as client_id,

        ---------- service level
        cast(coalesce(nullif(trim(sl_threshold_s), ''), '{{ config_default('queues', 'sl_threshold_s') }}')
            as {{ dbt.type_int() }}) as sl_threshold_s,
        cast(coalesce(nullif(trim(sl_target), ''), '{{ config_default('queues', 'sl_target') }}')
            as {{ callmart.type_double() }}) as sl_target,
        cast(coalesce(nullif(trim(short_abandon_s), ''), '{{ config_default('queues', 'short_abandon_s') }}')
            as {{ dbt.type_int() }}) as short_abandon_s,
        lower(coalesce(nullif(trim(sl_formula), ''), {{ config_default('queues', 'sl_formula') }})) as sl_formula
    from queues

)

select * from final
