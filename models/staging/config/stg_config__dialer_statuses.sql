{#- One row per dialer status (seed dialer_statuses) with its flags; `status_name` is optional and
    defaults to the status. Grain: status (upper case). -#}
with dialer_statuses as (

    select * from {{ ref('dialer_statuses') }}

),

final as (

    select
        upper(trim(status)) as status,
        coalesce(nullif(trim(status_name), ''), upper(trim(status))) as status_name,

        ---------- flags (the first five nest; kpis.md, Outbound)
        {%- for flag in ['is_connected', 'is_human', 'is_decision_maker', 'is_purpose_discussed', 'is_result',
                         'is_sale', 'is_final'] %}
        cast(lower(trim({{ flag }})) as {{ dbt.type_boolean() }}) as {{ flag }}{{ ',' if not loop.last }}
        {%- endfor %}
    from dialer_statuses

)

select * from final
