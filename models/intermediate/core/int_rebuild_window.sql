{#- One row: the first local day an incremental run rebuilds (macros/incremental.sql). The data new
    since the build watermark (lines past the last one each file had at the last complete build)
    sets it: the day of its earliest event (queue_log), of its earliest contact less the FCR window
    (a repeat contact undoes an earlier FCR), of the earliest contact of a case it updates (a case
    resolved a week later), of the contact a new survey rates. Less one day for time zones and
    rebuild_lookback_days for events of one stint or pause that arrive in different loads. Nothing
    new: 9999-12-31 (nothing rebuilt). A full refresh, or no watermark yet: 1900-01-01 (everything).
    Grain: one row. -#}
-- depends_on: {{ ref('stg_asterisk__queue_log') }}
-- depends_on: {{ ref('stg_crm__contacts') }}
-- depends_on: {{ ref('stg_crm__cases') }}
-- depends_on: {{ ref('stg_crm__surveys') }}
{%- set watermark = callmart.build_watermark_relation() if execute else none -%}
{%- set watermark_exists = watermark is not none and load_relation(watermark) is not none -%}
{%- if flags.FULL_REFRESH or not watermark_exists %}

with rebuilt_days as (

    select cast('1900-01-01' as date) as rebuild_from_date

)

{%- else %}

with watermark as (

    select * from {{ watermark }}

),

queue_log as (

    select * from {{ ref('stg_asterisk__queue_log') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

cases as (

    select * from {{ ref('stg_crm__cases') }}

),

surveys as (

    select * from {{ ref('stg_crm__surveys') }}

),

new_queue_log as (

    select min(queue_log.event_epoch) as earliest_epoch
    from queue_log
    {{ callmart.past_build_watermark('queue_log', 'stg_asterisk__queue_log') }}

),

new_contacts as (

    select
        min({{ callmart.timestamp_to_epoch('contacts.contact_ts_utc') }}) - {{ var('fcr_window_days') }} * 86400
            as earliest_epoch
    from contacts
    {{ callmart.past_build_watermark('contacts', 'stg_crm__contacts') }}

),

new_cases as (

    select cases.case_id
    from cases
    {{ callmart.past_build_watermark('cases', 'stg_crm__cases') }}

),

contacts_of_new_cases as (

    select min({{ callmart.timestamp_to_epoch('contacts.contact_ts_utc') }}) as earliest_epoch
    from contacts
    inner join new_cases on new_cases.case_id = contacts.case_id

),

new_surveys as (

    select surveys.contact_id, surveys.response_ts_utc
    from surveys
    {{ callmart.past_build_watermark('surveys', 'stg_crm__surveys') }}

),

surveyed_contacts as (

    select
        min(least(
            {{ callmart.timestamp_to_epoch('new_surveys.response_ts_utc') }},
            coalesce({{ callmart.timestamp_to_epoch('contacts.contact_ts_utc') }},
                     {{ callmart.timestamp_to_epoch('new_surveys.response_ts_utc') }})
        )) as earliest_epoch
    from new_surveys
    left join contacts on contacts.contact_id = new_surveys.contact_id

),

earliest as (

    select min(earliest_epoch) as earliest_epoch
    from (
        select earliest_epoch from new_queue_log
        union all select earliest_epoch from new_contacts
        union all select earliest_epoch from contacts_of_new_cases
        union all select earliest_epoch from surveyed_contacts
    ) changes

),

rebuilt_days as (

    select
        case
            when earliest_epoch is null then cast('9999-12-31' as date)
            else cast({{ dbt.dateadd(
                'day',
                -1 - var('rebuild_lookback_days'),
                'cast(' ~ callmart.epoch_to_timestamp('earliest_epoch') ~ ' as date)'
            ) }} as date)
        end as rebuild_from_date
    from earliest

)

{%- endif %},

final as (

    select
        rebuild_from_date,
        {{ callmart.timestamp_to_epoch('cast(rebuild_from_date as timestamp)') }} - 86400 as rebuild_from_epoch
    from rebuilt_days

)

select * from final
