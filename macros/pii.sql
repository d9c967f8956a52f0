{#- Personal data: a phone number is kept only as sha256(pii_salt || normalized number) and its last 4 digits.
    Normalized = its digits, the last 10 when longer; a number with no digits is NULL (nobody). -#}

{% macro normalize_phone(col) -%}
    nullif(right({{ callmart.digits_only("coalesce(" ~ col ~ ", '')") }}, 10), '')
{%- endmacro %}

{#- Every non-digit removed (Spark's regexp_replace replaces every match and takes no flags). -#}
{% macro digits_only(expr) -%}
    {{ return(adapter.dispatch('digits_only', 'callmart')(expr)) }}
{%- endmacro %}
{% macro default__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '', 'g')
{%- endmacro %}
{% macro spark__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '')
{%- endmacro %}

{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'callmart')(expr)) }}
{%- endmacro %}
{% macro default__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}
{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{#- The salt is read from the table raw.pii_salt (written by `callmart run`, see
    orchestration/privacy.py), never rendered into SQL: compiled SQL and logs never hold it. -#}
{% macro phone_hash(col) -%}
    case when {{ callmart.normalize_phone(col) }} is not null
         then {{ callmart.sha256_hex("(select salt from " ~ source('callmart', 'pii_salt') ~ ") || "
                                     ~ callmart.normalize_phone(col)) }} end
{%- endmacro %}

{% macro phone_last4(col) -%}
    right({{ callmart.normalize_phone(col) }}, 4)
{%- endmacro %}
