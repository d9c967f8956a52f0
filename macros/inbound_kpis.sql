{#- Stint-level inbound KPIs (docs/kpis.md "Inbound") over the rows of a grouped `stints` relation
    that holds offered stints only. Counts and sums first, then the rates that re-divide them. -#}
{% macro inbound_stint_counts() -%}
        count(*) as offered,
        sum(case when outcome = 'answered' then 1 else 0 end) as answered,
        sum(case when outcome = 'abandoned' then 1 else 0 end) as abandoned,
        sum(case when is_short_abandoned then 1 else 0 end) as short_abandoned,
        sum(case when outcome = 'timeout' then 1 else 0 end) as timeouts,
        sum(case when outcome = 'exit_key' then 1 else 0 end) as exit_key,
        sum(case when outcome = 'exit_empty' then 1 else 0 end) as exit_empty,
        sum(case when outcome = 'withdrawn' then 1 else 0 end) as withdrawn,
        sum(case when outcome = 'failed' then 1 else 0 end) as failed,
        sum(case when is_answered_within_sl then 1 else 0 end) as answered_within_sl,
        sum(case when is_abandoned_within_sl then 1 else 0 end) as abandoned_within_sl,
        coalesce(sum(case when outcome = 'answered' then wait_s end), 0) as wait_answered_s,
        coalesce(sum(case when outcome = 'abandoned' then wait_s end), 0) as abandon_wait_s,
        max(wait_s) as max_wait_s,
        sum(case when is_handled then 1 else 0 end) as handled,
        coalesce(sum(case when is_handled then talk_s end), 0) as talk_s,
        coalesce(sum(case when is_handled then acw_s end), 0) as acw_s,
        coalesce(sum(case when is_handled then talk_s + acw_s end), 0) as handle_s,
        sum(case when outcome = 'answered' and is_transferred then 1 else 0 end) as transferred
{%- endmacro %}

{#- The rates, from the counts above (in a CTE named by the caller). -#}
{% macro inbound_stint_rates() -%}
        {{ callmart.safe_divide('answered_within_sl', 'answered') }} as sl_answered,
        {{ callmart.safe_divide('answered_within_sl', 'offered') }} as sl_offered,
        {{ callmart.safe_divide('answered_within_sl', 'offered - short_abandoned') }} as sl_offered_excl_short,
        {{ callmart.safe_divide('answered_within_sl + abandoned_within_sl', 'answered + abandoned') }} as sl_inclusive,
        {{ callmart.safe_divide('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandon_rate,
        {{ callmart.safe_divide('wait_answered_s', 'answered') }} as asa_s,
        {{ callmart.safe_divide('abandon_wait_s', 'abandoned') }} as avg_abandon_wait_s,
        {{ callmart.safe_divide('handle_s', 'handled') }} as aht_s,
        {{ callmart.safe_divide('answered - transferred', 'answered') }} as routing_accuracy
{%- endmacro %}

{#- service_level: the variant the queue's sl_formula names; sl_target_met NULL when it is NULL. -#}
{% macro service_level_columns() -%}
        case sl_formula
            when 'answered' then sl_answered
            when 'offered' then sl_offered
            when 'inclusive' then sl_inclusive
            else sl_offered_excl_short
        end as service_level,
        case
            when (case sl_formula when 'answered' then sl_answered when 'offered' then sl_offered
                                  when 'inclusive' then sl_inclusive else sl_offered_excl_short end) is null
                then null
            else (case sl_formula when 'answered' then sl_answered when 'offered' then sl_offered
                                  when 'inclusive' then sl_inclusive else sl_offered_excl_short end) >= sl_target
        end as sl_target_met
{%- endmacro %}
