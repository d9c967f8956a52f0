{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'stg_asterisk__queue_log'}}}) }}
-- A source's newest event is older than freshness_max_age_hours (var, 72) before the check's as-of
-- time: the var as_of (a UTC time; `data` for the newest queue_log event, a demo replay's), else now.
{%- set as_of = var('as_of', none) %}
with

newest_per_source as (
    select 'queue_log' as source, max(event_ts_utc) as newest from {{ ref('stg_asterisk__queue_log') }}
    union all
    select 'cdr' as source, max(end_ts_utc) as newest from {{ ref('stg_asterisk__cdr') }}
    union all
    select 'vicidial_log' as source, max(start_ts_utc) as newest from {{ ref('stg_vicidial__attempts') }}
    union all
    select 'crm_contacts' as source, max(contact_ts_utc) as newest from {{ ref('stg_crm__contacts') }}
    union all
    select 'crm_orders' as source, max(order_ts_utc) as newest from {{ ref('stg_crm__orders') }}
),

as_of_time as (
    {%- if as_of == 'data' %}
    select max(event_ts_utc) as as_of_utc from {{ ref('stg_asterisk__queue_log') }}
    {%- elif as_of %}
    select cast('{{ as_of }}' as {{ dbt.type_timestamp() }}) as as_of_utc
    {%- else %}
    select {{ callmart.utc_now() }} as as_of_utc
    {%- endif %}
),

final as (
    select
        newest_per_source.source,
        newest_per_source.newest
    from newest_per_source
    cross join as_of_time
    where newest_per_source.newest is not null
      and {{ callmart.timestamp_to_epoch('newest_per_source.newest') }}
          < {{ callmart.timestamp_to_epoch('as_of_time.as_of_utc') }} - {{ var('freshness_max_age_hours') }} * 3600
)

select * from final
