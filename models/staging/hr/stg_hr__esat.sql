{#- One row per employee satisfaction answer (1-5), the latest export wins. -#}
with source as (

    select * from {{ source('hr', 'hr_esat') }}

),

latest as (

    select * from (
        select *, {{ callmart.latest_row_filter('response_id') }} as is_latest from source
    ) ranked
    where is_latest

),

final as (

    select
        {{ callmart.text('response_id') }} as response_id,
        {{ callmart.iso_to_utc('response_ts') }} as response_ts_utc,
        {{ callmart.text('agent') }} as agent,
        {{ callmart.text('team') }} as team,
        {{ callmart.num('score') }} as score,
        _file_id as file_id,
        _line_no as line_no

    from latest

)

select * from final
