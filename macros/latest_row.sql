{#- Keep the most recently loaded row per key (a later export updates an entity: a case closes). -#}
{% macro latest_row_filter(key) -%}
    row_number() over (partition by {{ key }} order by _file_id desc, _line_no desc) = 1
{%- endmacro %}
