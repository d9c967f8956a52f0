{#- One row per handled stint that after-call work is attached to: an ACW pause of the agent that
    starts at most acw_link_s after one of the agent's calls ends (<=) belongs to that call (the
    latest one ending at or before the pause starts). -#}
with pauses as (

    select * from {{ ref('int_agent_pauses') }}
    where category = 'acw'

),

stints as (

    select stint_id, agent_id, ended_epoch, entry_seq
    from {{ ref('int_queue_stints') }}
    where is_handled and agent_id is not null

),

candidates as (

    select
        p.agent_id,
        p.start_epoch as pause_start_epoch,
        p.duration_s,
        s.stint_id,
        row_number() over (
            partition by p.agent_id, p.start_epoch order by s.ended_epoch desc nulls last, s.entry_seq desc
        ) as candidate_rank
    from pauses p
    inner join stints s
        on s.agent_id = p.agent_id
        and p.start_epoch >= s.ended_epoch
        and p.start_epoch - s.ended_epoch <= {{ var('acw_link_s') }}

),

final as (

    select stint_id, sum(duration_s) as acw_s, count(*) as acw_pauses
    from candidates
    where candidate_rank = 1
    group by stint_id

)

select * from final
