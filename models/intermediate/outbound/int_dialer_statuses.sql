{#- One row per dialer status with its nested flags (seed dialer_statuses); an unknown status has
    every flag false. Grain: status. -#}
select
    upper(trim(status)) as status,
    max(status_name) as status_name,
    bool_or(coalesce(is_connected, false)) as is_connected,
    bool_or(coalesce(is_human, false)) as is_human,
    bool_or(coalesce(is_decision_maker, false)) as is_decision_maker,
    bool_or(coalesce(is_purpose_discussed, false)) as is_purpose_discussed,
    bool_or(coalesce(is_result, false)) as is_result,
    bool_or(coalesce(is_sale, false)) as is_sale,
    bool_or(coalesce(is_final, false)) as is_final
from {{ ref('dialer_statuses') }}
group by upper(trim(status))
