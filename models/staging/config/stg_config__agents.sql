{#- One row per agent spelling (seed agents): the spelling as logged and the agent it names.
    Grain: agent (spelling). -#}
with agents as (

    select * from {{ ref('agents') }}

),

final as (

    select
        ---------- ids
        trim(agent) as agent,
        trim(agent_id) as agent_id,

        ---------- attributes
        nullif(trim(agent_name), '') as agent_name,
        nullif(trim(team), '') as team
    from agents

)

select * from final
