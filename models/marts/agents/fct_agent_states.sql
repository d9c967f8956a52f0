{#- One row per agent state span: `logged_in` (a logged-in session across all queues), `paused`
    (with its category), `talk` (CONNECT to CONNECT + talk of a handled stint). Spans overlap by
    design: pauses and talk lie inside logged-in time. Grain: agent_id, state, start. -#}
with sessions as (

    select * from {{ ref('int_agent_sessions') }}

),

pauses as (

    select * from {{ ref('int_agent_pauses') }}

),

talk as (

    select agent_id, stint_id, connected_epoch, talk_s
    from {{ ref('fct_queue_stints') }}
    where is_handled and agent_id is not null

),

spans as (

    select agent_id, 'logged_in' as state, cast(null as {{ dbt.type_string() }}) as category,
           start_epoch, end_epoch, cast(null as {{ dbt.type_string() }}) as stint_id
    from sessions

    union all

    select agent_id, 'paused', category, start_epoch, end_epoch, null
    from pauses

    union all

    select agent_id, 'talk', null, connected_epoch, connected_epoch + talk_s, stint_id
    from talk

),

final as (

    select
        agent_id || '|' || state || '|' || coalesce(stint_id, {{ callmart.epoch_key('start_epoch') }})
            as state_span_id,
        agent_id,
        state,
        category,
        {{ callmart.epoch_to_timestamp('start_epoch') }} as start_at_utc,
        {{ callmart.epoch_to_timestamp('end_epoch') }} as end_at_utc,
        {{ callmart.utc_to_local(callmart.epoch_to_timestamp('start_epoch'), callmart.tz_literal('pbx_timezone')) }}
            as start_at_local,
        end_epoch - start_epoch as duration_s,
        stint_id,
        start_epoch,
        end_epoch
    from spans

)

select * from final
