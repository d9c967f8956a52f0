{#- Incremental builds (docs/decisions.md, "Incremental builds").

    Every run first builds int_rebuild_window: the earliest day (rebuild_from_date) that the data
    loaded since the last complete build can change, with its margins. Day-keyed facts and KPI marts
    then recompute the days from rebuild_from_date on and replace them (strategy `day_window`:
    delete those days, insert the new rows; Spark: insert_overwrite of their partitions). Models
    keyed by a line, a call or a stint replace their keys (delete+insert). A full refresh, or a
    warehouse that has no build watermark yet, rebuilds everything.

    The watermark (callmart_build_watermark, beside int_rebuild_window) holds, per tracked staging
    model and file, the last line the build had seen; the on-run-end hook moves it only after a
    run in which every incremental model and the window itself were built without error. -#}

{% macro watermark_models() -%}
    {{ return(['stg_asterisk__queue_log', 'stg_crm__contacts', 'stg_crm__cases', 'stg_crm__surveys']) }}
{%- endmacro %}

{#- The first day to rebuild, as a scalar subquery (a model using it declares
    `-- depends_on: {{ ref('int_rebuild_window') }}`). -#}
{% macro rebuild_from_date() -%}
    (select rebuild_from_date from {{ ref('int_rebuild_window') }})
{%- endmacro %}

{#- Events at or after this epoch can belong to a rebuilt day in any time zone (a local day starts
    at most 14 h before the UTC one: one day of margin). -#}
{% macro rebuild_from_epoch() -%}
    (select rebuild_from_epoch from {{ ref('int_rebuild_window') }})
{%- endmacro %}

{#- A predicate: in an incremental run, `column` (a local day) is one of the rebuilt days (a row with
    no day is rebuilt every time). -#}
{% macro in_rebuilt_days(column) -%}
    {%- if is_incremental() -%}
        ({{ column }} >= {{ callmart.rebuild_from_date() }} or {{ column }} is null)
    {%- else -%} 1 = 1 {%- endif -%}
{%- endmacro %}

{#- A predicate: in an incremental run, `column` (an epoch) is at or after the rebuild window's start,
    less `context_s` seconds of context (a repeat call looks 24 h back). -#}
{% macro in_rebuild_window(column, context_s=0) -%}
    {%- if is_incremental() -%}
        {{ column }} >= {{ callmart.rebuild_from_epoch() }} - {{ context_s }}
    {%- else -%} 1 = 1 {%- endif -%}
{%- endmacro %}

{#- Spark overwrites the partitions of the rebuilt days. A partition column goes last in a Spark table,
    so the day is partitioned as a copy, `_rebuild_day`, which the mirror into DuckDB leaves out: the
    table's own columns keep their order. Elsewhere: nothing. Use: `select *{{ partition_day(...) }}`. -#}
{% macro partition_day(column) -%}
    {%- if target.type == 'spark' -%}, {{ column }} as _rebuild_day{%- endif -%}
{%- endmacro %}

{#- Models keyed by a line, call or stint are incremental where a key can be replaced (delete+insert);
    Spark's parquet tables can only overwrite partitions, so they are tables there. -#}
{% macro keyed_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- A line-keyed staging model's incremental read, after `from source`: the lines past those it has
    staged, and each file's last one again (a line loaded without its newline is replaced when it is
    completed). Nothing in a full build. -#}
{% macro past_staged_lines(source_alias='source') -%}
    {%- if is_incremental() %}
    left join (
        select file_id, max(line_no) as staged_line_no from {{ this }} group by file_id
    ) staged on staged.file_id = {{ source_alias }}._file_id
    where staged.file_id is null or {{ source_alias }}._line_no >= staged.staged_line_no
    {%- endif %}
{%- endmacro %}

{#- A latest-row staging model's incremental rows (keyed by `key`, the newest loaded row wins), after
    `from <alias>`: a key's row only when it is the staged row's line or a later one, so that a line
    `past_staged_lines` reads again never brings back a row a later line replaced. -#}
{% macro at_or_past_staged_row(alias, key) -%}
    {%- if is_incremental() %}
    left join {{ this }} staged on staged.{{ key }} = {{ alias }}.{{ key }}
    where staged.{{ key }} is null
        or {{ alias }}.file_id > staged.file_id
        or ({{ alias }}.file_id = staged.file_id and {{ alias }}.line_no >= staged.line_no)
    {%- endif %}
{%- endmacro %}

{#- The custom strategy of day-keyed models: delete every day from rebuild_from_date on, insert the
    recomputed rows (which hold exactly those days). Days whose rows moved elsewhere are deleted too,
    which replacing only the days present in the new rows would miss. -#}
{% macro get_incremental_day_window_sql(arg_dict) -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target_relation }}
    where {{ arg_dict['unique_key'] }} >= {{ callmart.rebuild_from_date() }} or {{ arg_dict['unique_key'] }} is null;
    insert into {{ target_relation }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- In int_rebuild_window, after `from <alias>`: keep the rows of `model_name` past the build
    watermark (files it has not seen, lines from its last one on). -#}
{% macro past_build_watermark(alias, model_name) -%}
    left join watermark
        on watermark.model_name = '{{ model_name }}' and watermark.file_id = {{ alias }}.file_id
    where watermark.file_id is null or {{ alias }}.line_no >= watermark.built_line_no
{%- endmacro %}

{% macro build_watermark_relation() -%}
    {%- set window = graph.nodes.values() | selectattr('name', 'equalto', 'int_rebuild_window') | first -%}
    {{ return(api.Relation.create(database=window.database, schema=window.schema, identifier='callmart_build_watermark')) }}
{%- endmacro %}

{#- The models callmart's dbt step leaves unchanged in this build (their inputs did not change since
    the last complete build: orchestration/rebuild_plan.py); written before dbt starts, dropped when
    it ends. -#}
{% macro build_plan_relation() -%}
    {%- set window = graph.nodes.values() | selectattr('name', 'equalto', 'int_rebuild_window') | first -%}
    {{ return(api.Relation.create(database=window.database, schema=window.schema, identifier='callmart_build_plan')) }}
{%- endmacro %}

{#- on-run-end: after a run or build in which int_rebuild_window and every incremental model were
    built, or left unchanged by callmart's build plan, record the lines those models have seen. A
    partial or failed run leaves the watermark where it was, so the next run rebuilds from the same
    point (or earlier). -#}
{% macro record_build_watermark(results) -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set built = [] -%}
        {%- for result in results -%}
            {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
                {%- do built.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set needed = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.config.enabled
                  and (node.config.materialized == 'incremental' or node.name == 'int_rebuild_window'
                       or node.name in callmart.watermark_models()) -%}
                {%- do needed.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set unchanged = [] -%}
        {%- if load_relation(callmart.build_plan_relation()) is not none -%}
            {%- set unchanged = run_query('select unique_id from ' ~ callmart.build_plan_relation()).columns[0].values() -%}
        {%- endif -%}
        {%- set missing = needed | reject('in', built) | reject('in', unchanged) | list -%}
        {%- if missing | length == 0 -%}
            {%- set watermark = callmart.build_watermark_relation() -%}
            {%- set selects = [] -%}
            {%- for name in callmart.watermark_models() -%}
                {%- set model = graph.nodes.values() | selectattr('name', 'equalto', name) | first -%}
                {%- set relation = api.Relation.create(database=model.database, schema=model.schema, identifier=model.alias) -%}
                {%- do selects.append("select '" ~ name ~ "' as model_name, file_id, max(line_no) as built_line_no from "
                                       ~ relation ~ " group by file_id") -%}
            {%- endfor -%}
            {%- do run_query('drop table if exists ' ~ watermark) -%}
            {%- do run_query('create table ' ~ watermark ~ ' as ' ~ selects | join(' union all ')) -%}
        {%- else -%}
            {{ log('callmart: build watermark not moved (not built: ' ~ missing | join(', ') ~ ')', info=True) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
