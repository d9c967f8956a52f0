{#- One row per handled stint with an agent, with the after-call work attached to it (0 when none): an
    ACW pause of the agent that starts at most acw_link_s after one of the agent's calls ends (<=)
    belongs to that call (the latest one ending at or before the pause starts). Incremental: the
    stints that end in the rebuild window are attached again (a pause that arrives in a later load,
    a later stint that now comes closer to a pause) and replace their rows. The pause and the calls
    it may follow meet on the agent and a time bucket a little wider than acw_link_s (the pause's
    bucket or the one before): joined on the agent alone, every pause met every call of its agent,
    millions of pairs per agent over a quarter. -#}
{%- set link_bucket_s = (var('acw_link_s') | float) + 1 -%}
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

bucket_offsets as (

    select 0 as bucket_offset
    union all
    select 1 as bucket_offset

),

pause_buckets as (

    select
        pauses.agent_id,
        pauses.start_epoch,
        pauses.duration_s,
        cast(floor(pauses.start_epoch / {{ link_bucket_s }}) as {{ dbt.type_bigint() }})
            - bucket_offsets.bucket_offset as link_bucket
    from pauses
    cross join bucket_offsets

),

stint_buckets as (

    select
        stints.*,
        cast(floor(stints.ended_epoch / {{ link_bucket_s }}) as {{ dbt.type_bigint() }}) as link_bucket
    from stints

),

candidates as (

    select
        pause_buckets.agent_id,
        pause_buckets.start_epoch as pause_start_epoch,
        pause_buckets.duration_s,
        stint_buckets.stint_id,
        row_number() over (
            partition by pause_buckets.agent_id, pause_buckets.start_epoch
            order by stint_buckets.ended_epoch desc nulls last, stint_buckets.entry_seq desc
        ) as candidate_rank
    from pause_buckets
    inner join stint_buckets
        on stint_buckets.agent_id = pause_buckets.agent_id
        and stint_buckets.link_bucket = pause_buckets.link_bucket
        and pause_buckets.start_epoch >= stint_buckets.ended_epoch
        and pause_buckets.start_epoch - stint_buckets.ended_epoch <= {{ var('acw_link_s') }}

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
