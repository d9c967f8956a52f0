{#- One row per scheduled activity span of an agent (agent as spelled in the file). -#}
with source as (

    select * from {{ source('wfm', 'wfm_schedules') }}

),

final as (

    select
        {{ callmart.text('agent') }} as agent,
        {{ callmart.iso_to_utc('start_ts') }} as start_ts_utc,
        {{ callmart.iso_to_utc('end_ts') }} as end_ts_utc,
        lower({{ callmart.text('activity') }}) as activity,
        _file_id as file_id,
        _line_no as line_no

    from source

)

select * from final
