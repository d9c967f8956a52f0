{#- The log order of a queue_log event as one number (docs/decisions.md, "The log order is a key"):
    microseconds of its epoch, then its file, then its line, so that sorting by it sorts by time,
    then file, then line. The file is known by its content, the first 36 bits of its first line's
    SHA-256 (raw.load_manifest.first_line_hash), not by the loader's file id: that id follows the
    order of the loads, and the key must not depend on which batches brought the files. A row needs
    no other row to get its key, so no model sorts the whole log to number it.
    Digits: epoch in microseconds (16) x 10^21 + file (11) x 10^10 + line (10): 37 of decimal(38, 0). -#}
{% macro log_order_key(epoch, first_line_hash, line_no) -%}
    cast(
        cast(floor({{ epoch }} * 1000000) as decimal(38, 0)) * cast('1000000000000000000000' as decimal(38, 0))
        + cast({{ callmart.hex9_to_bigint(first_line_hash) }} as decimal(38, 0)) * cast('10000000000' as decimal(38, 0))
        + cast({{ line_no }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}

{#- The first 9 hex digits (36 bits) of a hex string as a bigint. -#}
{% macro hex9_to_bigint(hex) -%}
    {{ return(adapter.dispatch('hex9_to_bigint', 'callmart')(hex)) }}
{%- endmacro %}

{% macro default__hex9_to_bigint(hex) -%}
    cast(('0x' || substr({{ hex }}, 1, 9)) as bigint)
{%- endmacro %}

{% macro postgres__hex9_to_bigint(hex) -%}
    cast(cast(('x' || lpad(substr({{ hex }}, 1, 9), 16, '0')) as bit(64)) as bigint)
{%- endmacro %}

{% macro spark__hex9_to_bigint(hex) -%}
    cast(conv(substr({{ hex }}, 1, 9), 16, 10) as bigint)
{%- endmacro %}
