{#- KPI helpers: 0/0 is NULL, never 0 (docs/kpis.md). -#}
{% macro safe_divide(numerator, denominator) -%}
    case when ({{ denominator }}) = 0 or ({{ denominator }}) is null then null
         else cast({{ numerator }} as {{ callmart.type_double() }}) / ({{ denominator }}) end
{%- endmacro %}

{#- Seconds of [a_start, a_end) inside [b_start, b_end) (epochs), never negative. -#}
{% macro overlap_s(a_start, a_end, b_start, b_end) -%}
    greatest(0, least({{ a_end }}, {{ b_end }}) - greatest({{ a_start }}, {{ b_start }}))
{%- endmacro %}

{#- The interval (of interval_minutes, on the local clock) holding a UTC epoch whose local wall-clock
    epoch is `local_epoch`: its local start as an epoch-like number. -#}
{% macro interval_floor(local_epoch) -%}
    {%- set minutes = var('interval_minutes') | int -%}
    {%- if minutes not in [15, 30, 60] -%}
        {{ exceptions.raise_compiler_error("interval_minutes must be 15, 30 or 60, got " ~ minutes) }}
    {%- endif -%}
    (floor(({{ local_epoch }}) / {{ minutes * 60 }}) * {{ minutes * 60 }})
{%- endmacro %}

{#- Rows where a condition holds, as a bigint (a plain sum is int128 on DuckDB). -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}
