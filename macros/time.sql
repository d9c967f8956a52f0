{#- Portable time helpers. Timestamps in callmart are naive and UTC unless a column says _local. -#}

{#- UTC seconds since 1970 (a fraction allowed) -> UTC timestamp. -#}
{% macro epoch_to_timestamp(epoch) -%}
    {{ return(adapter.dispatch('epoch_to_timestamp', 'callmart')(epoch)) }}
{%- endmacro %}
{% macro default__epoch_to_timestamp(epoch) -%}
    (to_timestamp({{ epoch }}) at time zone 'UTC')
{%- endmacro %}
{% macro duckdb__epoch_to_timestamp(epoch) -%}
    make_timestamp(cast(round(({{ epoch }}) * 1000000) as bigint))
{%- endmacro %}
{% macro spark__epoch_to_timestamp(epoch) -%}
    timestamp_micros(cast(round(({{ epoch }}) * 1000000) as bigint))
{%- endmacro %}

{#- UTC timestamp -> seconds since 1970 (double). -#}
{% macro timestamp_to_epoch(ts) -%}
    {{ return(adapter.dispatch('timestamp_to_epoch', 'callmart')(ts)) }}
{%- endmacro %}
{% macro default__timestamp_to_epoch(ts) -%}
    extract(epoch from ({{ ts }}))
{%- endmacro %}
{% macro duckdb__timestamp_to_epoch(ts) -%}
    (epoch_us({{ ts }}) / 1000000.0)
{%- endmacro %}
{% macro spark__timestamp_to_epoch(ts) -%}
    (unix_micros({{ ts }}) / 1000000.0)
{%- endmacro %}

{#- Wall-clock time in time zone `tz` -> UTC. -#}
{% macro local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'callmart')(ts, tz)) }}
{%- endmacro %}
{% macro default__local_to_utc(ts, tz) -%}
    ((({{ ts }}) at time zone {{ tz }}) at time zone 'UTC')
{%- endmacro %}
{% macro spark__local_to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{#- UTC -> wall-clock time in time zone `tz`. -#}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'callmart')(ts, tz)) }}
{%- endmacro %}
{% macro default__utc_to_local(ts, tz) -%}
    ((({{ ts }}) at time zone 'UTC') at time zone {{ tz }})
{%- endmacro %}
{% macro spark__utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{#- An ISO-8601 text (UTC unless it carries an offset) -> UTC timestamp. -#}
{% macro iso_to_utc(text) -%}
    {{ return(adapter.dispatch('iso_to_utc', 'callmart')(text)) }}
{%- endmacro %}
{% macro default__iso_to_utc(text) -%}
    (cast(nullif({{ text }}, '') as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}
{% macro spark__iso_to_utc(text) -%}
    to_utc_timestamp(cast(nullif({{ text }}, '') as timestamp), 'UTC')
{%- endmacro %}

{#- A `YYYY-MM-DD HH:MM:SS` text in time zone `tz` -> UTC timestamp. -#}
{% macro local_text_to_utc(text, tz) -%}
    {{ callmart.local_to_utc("cast(nullif(" ~ text ~ ", '') as " ~ dbt.type_timestamp() ~ ")", tz) }}
{%- endmacro %}

{#- Whole seconds from one timestamp to another (elapsed, not boundaries crossed). -#}
{% macro seconds_between(start_ts, end_ts) -%}
    ({{ callmart.timestamp_to_epoch(end_ts) }} - {{ callmart.timestamp_to_epoch(start_ts) }})
{%- endmacro %}

{#- An epoch as key text, the same on every engine: whole milliseconds (a double's text differs:
    '1792397654.0' on DuckDB, '1792397654' on PostgreSQL). -#}
{% macro epoch_key(epoch) -%}
    cast(cast(floor(({{ epoch }}) * 1000) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- ISO day of the week: Monday 1 ... Sunday 7 (Spark's dayofweek counts from Sunday = 1). -#}
{% macro iso_day_of_week(day) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'callmart')(day)) }}
{%- endmacro %}
{% macro default__iso_day_of_week(day) -%}
    cast(extract(isodow from {{ day }}) as {{ dbt.type_bigint() }})
{%- endmacro %}
{% macro spark__iso_day_of_week(day) -%}
    cast((dayofweek({{ day }}) + 5) % 7 + 1 as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Now, as a naive UTC timestamp (whatever the session's time zone). -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'callmart')()) }}
{%- endmacro %}
{% macro default__utc_now() -%}
    cast(current_timestamp at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}
{% macro spark__utc_now() -%}
    to_utc_timestamp(current_timestamp(), current_timezone())
{%- endmacro %}
