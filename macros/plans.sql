{#- The rows a plans row covers (docs/kpis.md, plan_fulfilment): its client's, on the client-local days
    from period_start to period_end inclusive, and of its campaign, or of all the client's campaigns
    when campaign_id is empty. `by_campaign=false` for figures without a campaign (calls). -#}
{% macro in_plan(rows, plans, by_campaign=true) -%}
    {{ rows }}.client_id = {{ plans }}.client_id
        and {{ rows }}.date_local between {{ plans }}.period_start and {{ plans }}.period_end
        {%- if by_campaign %}
        and ({{ plans }}.campaign_id is null or {{ rows }}.campaign_id = {{ plans }}.campaign_id)
        {%- endif %}
{%- endmacro %}
