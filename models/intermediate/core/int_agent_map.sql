{#- One row per agent spelling in the agents seed: the spelling and the agent it names. -#}
with agents as (

    select * from {{ ref('agents') }}

),

final as (

    select
        trim(agent) as agent,
        max(trim(agent_id)) as agent_id,
        max(agent_name) as agent_name,
        max(team) as team
    from agents
    where nullif(trim(agent), '') is not null
    group by trim(agent)

)

select * from final
