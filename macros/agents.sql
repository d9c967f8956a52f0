{#- The agent of a spelling (docs/data-contract.md, seed `agents`): the agent_id the agents seed maps
    it to, else the spelling itself ("an unmapped name is its own agent_id"). `agent_map` is the alias
    of stg_config__agents left-joined on `agent_map.agent = spelling`. -#}
{% macro mapped_agent_id(spelling, agent_map) -%}
    coalesce({{ agent_map }}.agent_id, {{ spelling }})
{%- endmacro %}
