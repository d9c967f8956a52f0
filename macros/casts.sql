{#- Casts of loader-validated text (the loader rejected what would not cast). -#}
{% macro num(col) -%}
    cast(nullif({{ col }}, '') as {{ callmart.type_double() }})
{%- endmacro %}

{#- 64-bit float everywhere (dbt.type_float() is 32-bit FLOAT on DuckDB: epochs would lose seconds). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'callmart')()) }}
{%- endmacro %}
{% macro default__type_double() -%}double precision{%- endmacro %}
{% macro spark__type_double() -%}double{%- endmacro %}

{#- Money in a reporting currency: an exact decimal (6 places), so that sums are the same whatever
    order they are added in (a double's sum can differ in its last bit from one run to the next). -#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'callmart')()) }}
{%- endmacro %}
{% macro default__type_money() -%}decimal(18, 6){%- endmacro %}

{% macro int(col) -%}
    cast(nullif({{ col }}, '') as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{% macro bool(col) -%}
    case when lower({{ col }}) in ('true', '1') then true when lower({{ col }}) in ('false', '0') then false end
{%- endmacro %}

{#- The pbx/dialer time zone var as a SQL literal. -#}
{% macro tz_literal(name) -%}
    '{{ var(name) }}'
{%- endmacro %}
