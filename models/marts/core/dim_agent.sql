{#- One row per agent: every agent_id of the agents seed, and every unmapped spelling seen in the
    queue_log, the schedules, the dialer log, the CRM or HR (an unmapped name is its own agent).
    Grain: agent_id. -#}
with mapped as (

    select agent_id, max(agent_name) as agent_name, max(team) as team
    from {{ ref('stg_config__agents') }}
    group by agent_id

),

seen as (

    select agent_id from {{ ref('int_queue_log_events') }} where agent_id is not null
    union
    select agent from {{ ref('stg_wfm__schedules') }}
    union
    select user_name from {{ ref('stg_vicidial__attempts') }} where user_name is not null
    union
    select agent from {{ ref('stg_crm__contacts') }} where agent is not null
    union
    select agent from {{ ref('stg_crm__orders') }} where agent is not null
    union
    select agent from {{ ref('stg_hr__esat') }} where agent is not null

),

unmapped as (

    select s.agent_id
    from seen s
    left join {{ ref('stg_config__agents') }} m on m.agent = s.agent_id
    where m.agent is null and s.agent_id not in (select agent_id from mapped)

),

final as (

    select agent_id, agent_name, team, true as is_mapped from mapped
    union all
    select agent_id, agent_id as agent_name, cast(null as {{ dbt.type_string() }}) as team, false from unmapped

)

select * from final
