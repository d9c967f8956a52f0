{#- Stint-level inbound KPIs (docs/kpis.md "Inbound"): each count and sum once, as (column, its
    expression over the rows of a grouped `stints` relation, how a coarser grain rolls it up). The
    interval mart aggregates stints with them (inbound_stint_counts) and the daily mart rolls the
    intervals up (inbound_count_rollup): a day is the sum of its intervals. A stint still in progress
    is not offered and counts nowhere, but its interval and day have a row (counts 0): a mart has a
    row wherever a stint is. Counts and sums first, then the rates that re-divide them. -#}
{% macro inbound_count_columns() -%}
    {{ return([
        ('offered', callmart.count_where("is_offered"), 'count'),
        ('answered', callmart.count_where("outcome = 'answered'"), 'count'),
        ('abandoned', callmart.count_where("outcome = 'abandoned'"), 'count'),
        ('short_abandoned', callmart.count_where("is_short_abandoned"), 'count'),
        ('timeouts', callmart.count_where("outcome = 'timeout'"), 'count'),
        ('exit_key', callmart.count_where("outcome = 'exit_key'"), 'count'),
        ('exit_empty', callmart.count_where("outcome = 'exit_empty'"), 'count'),
        ('withdrawn', callmart.count_where("outcome = 'withdrawn'"), 'count'),
        ('failed', callmart.count_where("outcome = 'failed'"), 'count'),
        ('answered_within_sl', callmart.count_where("is_answered_within_sl"), 'count'),
        ('abandoned_within_sl', callmart.count_where("is_abandoned_within_sl"), 'count'),
        ('wait_answered_s', "coalesce(sum(case when outcome = 'answered' then wait_s end), 0)", 'sum'),
        ('abandon_wait_s', "coalesce(sum(case when outcome = 'abandoned' then wait_s end), 0)", 'sum'),
        ('max_wait_s', "max(case when is_offered then wait_s end)", 'max'),
        ('handled', callmart.count_where("is_handled"), 'count'),
        ('talk_s', "coalesce(sum(case when is_handled then talk_s end), 0)", 'sum'),
        ('acw_s', "coalesce(sum(case when is_handled then acw_s end), 0)", 'sum'),
        ('handle_s', "coalesce(sum(case when is_handled then talk_s + acw_s end), 0)", 'sum'),
        ('transferred', callmart.count_where("outcome = 'answered' and is_transferred"), 'count'),
    ]) }}
{%- endmacro %}

{#- The counts and sums over stints. -#}
{% macro inbound_stint_counts() -%}
    {%- for column, expression, rollup in callmart.inbound_count_columns() %}
        {{ expression }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The same counts and sums over rows of a finer grain that hold them (kpi_inbound_interval). -#}
{% macro inbound_count_rollup() -%}
    {%- for column, expression, rollup in callmart.inbound_count_columns() %}
        {%- if rollup == 'count' %}
        cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }}
        {%- else %}
        {{ rollup }}({{ column }}) as {{ column }}
        {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
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

{#- service_level: the variant the queue's sl_formula names, as its numerator and denominator, so that a
    roll-up over queues and days (the semantic layer's `service_level`) re-divides sums. The mart divides
    them in the next step (service_level_column). -#}
{% macro service_level_fraction() -%}
        case when sl_formula = 'inclusive' then answered_within_sl + abandoned_within_sl
             else answered_within_sl end as sl_numerator,
        case sl_formula
            when 'answered' then answered
            when 'offered' then offered
            when 'inclusive' then answered + abandoned
            else offered - short_abandoned
        end as sl_denominator
{%- endmacro %}

{#- sl_target_met: NULL when service_level is NULL (0/0), as comparisons with NULL are. -#}
{% macro sl_target_met_column() -%}
        service_level >= sl_target as sl_target_met
{%- endmacro %}

{% macro service_level_column() -%}
        {{ callmart.safe_divide('sl_numerator', 'sl_denominator') }} as service_level
{%- endmacro %}
