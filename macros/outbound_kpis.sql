{#- Dialer funnel counts over a group of fct_dial_attempts rows (docs/kpis.md "Outbound"). Lead-based
    figures count distinct leads in the group, never sums of days. -#}
{% macro outbound_attempt_counts() -%}
        count(*) as attempts,
        {{ callmart.count_where('is_connected') }} as connected,
        {{ callmart.count_where('is_human') }} as human,
        {{ callmart.count_where('is_decision_maker') }} as decision_maker,
        {{ callmart.count_where('is_purpose_discussed') }} as purpose_discussed,
        {{ callmart.count_where('is_result') }} as result,
        {{ callmart.count_where('is_sale') }} as sales,
        count(distinct lead_id) as records_processed,
        count(distinct case when is_decision_maker then lead_id end) as records_reached
{%- endmacro %}

{% macro outbound_rates() -%}
        {{ callmart.safe_divide('connected', 'attempts') }} as k1_connect_rate,
        {{ callmart.safe_divide('human', 'connected') }} as k2_human_rate,
        {{ callmart.safe_divide('decision_maker', 'human') }} as k3_decision_maker_rate,
        {{ callmart.safe_divide('purpose_discussed', 'decision_maker') }} as k4_full_contact_rate,
        {{ callmart.safe_divide('result', 'purpose_discussed') }} as k5_result_rate,
        {{ callmart.safe_divide('attempts', 'records_total') }} as completion_rate,
        {{ callmart.safe_divide('attempts', 'records_processed') }} as completion_rate_processed,
        {{ callmart.safe_divide('records_reached', 'records_processed') }} as reachability,
        {{ callmart.safe_divide('sales', 'human') }} as closure_rate
{%- endmacro %}
