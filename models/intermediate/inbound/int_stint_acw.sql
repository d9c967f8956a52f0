{#- One row per handled stint with an agent, with the after-call work attached to it (0 when none): an
    ACW pause of the agent that starts at most acw_link_s after one of the agent's calls ends (<=)
    belongs to that call (the latest one ending at or before the pause starts). Incremental: the
    stints that end in the rebuild window are attached again (a pause that arrives in a later load,
    a later stint that now comes closer to a pause) and replace their rows. -#}
{{ config(materialized=callmart.keyed_materialization(), unique_key='stint_id', incremental_strategy='delete+insert') }}
-- depends_on: {{ ref('int_rebuild_window') }}

with pauses as (

    select * from {{ ref('int_agent_pauses') }}
    where category = 'acw' and {{ callmart.in_rebuild_window('start_epoch') }}

),

stints as (

    select stint_id, agent_id, ended_epoch, entry_seq
    from {{ ref('int_queue_stints') }}
    where is_handled and agent_id is not null and {{ callmart.in_rebuild_window('ended_epoch') }}

),

candidates as (

    select
        pauses.agent_id,
        pauses.start_epoch as pause_start_epoch,
        pauses.duration_s,
        stints.stint_id,
        row_number() over (
            partition by pauses.agent_id, pauses.start_epoch
            order by stints.ended_epoch desc nulls last, stints.entry_seq desc
        ) as candidate_rank
    from pauses
    inner join stints
        on stints.agent_id = pauses.agent_id
        and pauses.start_epoch >= stints.ended_epoch
        and pauses.start_epoch - stints.ended_epoch <= {{ var('acw_link_s') }}

),

attached as (

    select stint_id, sum(duration_s) as acw_s, count(*) as acw_pauses
    from candidates
    where candidate_rank = 1
    group by stint_id

),

final as (

    select
        stints.stint_id,
        coalesce(attached.acw_s, 0) as acw_s,
        coalesce(attached.acw_pauses, 0) as acw_pauses
    from stints
    left join attached on attached.stint_id = stints.stint_id

)

select * from final
