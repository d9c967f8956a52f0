{#- The pause categories (docs/kpis.md, Agents), one paused_<category>_s column each. Their one home
    is the var `pause_categories` in dbt_project.yml: the configuration check
    (orchestration/configuration/schema.py) and the dashboards read the same list. -#}
{% macro pause_categories() -%}
    {{ return(var('pause_categories')) }}
{%- endmacro %}
