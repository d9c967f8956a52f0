{#- on-run-start: on Spark, (re-)register the input tables callmart wrote as Parquet (one folder per
    table under var('callmart_external_root'), listed in var('callmart_external_tables'), see orchestration/engines/spark.py) as external
    tables. Other engines read the tables callmart wrote into them directly: nothing to do. -#}
{% macro register_external_tables() -%}
    {{ return(adapter.dispatch('register_external_tables', 'callmart')()) }}
{%- endmacro %}

{% macro default__register_external_tables() -%}
    select 1
{%- endmacro %}

{% macro spark__register_external_tables() -%}
    {%- set root = var('callmart_external_root', '') -%}
    {%- if execute and root -%}
        {%- for table in var('callmart_external_tables', []) -%}
            {%- set schema, name = table.split('.') -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query('create table ' ~ table ~ " using parquet location '"
                             ~ root ~ '/' ~ schema ~ '/' ~ name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
