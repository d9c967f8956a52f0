{#- One row per dial attempt (vicidial_log row) with its status flags, campaign, client, agent and
    the client-local day of its start. Grain: attempt_id. -#}
with attempts as (

    select * from {{ ref('stg_vicidial__attempts') }}

),

lists as (

    select * from {{ ref('stg_config__dialer_lists') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

statuses as (

    select * from {{ ref('stg_config__dialer_statuses') }}

),

agent_map as (

    select * from {{ ref('stg_config__agents') }}

),

resolved as (

    select
        a.*,
        coalesce(a.campaign_id, l.campaign_id, 'none') as resolved_campaign_id
    from attempts a
    left join lists l on l.list_id = a.list_id

),

joined as (

    select
        cast(r.file_id as {{ dbt.type_string() }}) || ':' || cast(r.line_no as {{ dbt.type_string() }}) as attempt_id,
        r.uniqueid,
        r.lead_id,
        r.list_id,
        r.resolved_campaign_id as campaign_id,
        coalesce(c.client_id, {{ callmart.config_default('clients', 'client_id') }}) as client_id,
        {{ callmart.mapped_agent_id('r.user_name', 'm') }} as agent_id,
        r.start_ts_utc,
        r.end_ts_utc,
        {{ callmart.utc_to_local('r.start_ts_utc', "coalesce(c.client_timezone, " ~ callmart.config_default('clients', 'timezone') ~ ")") }} as start_at_local,
        r.length_s,
        r.status,
        coalesce(s.is_connected, false) as is_connected,
        coalesce(s.is_human, false) as is_human,
        coalesce(s.is_decision_maker, false) as is_decision_maker,
        coalesce(s.is_purpose_discussed, false) as is_purpose_discussed,
        coalesce(s.is_result, false) as is_result,
        coalesce(s.is_sale, false) as is_sale,
        coalesce(s.is_final, false) as is_final,
        s.status is not null as is_known_status,
        r.term_reason,
        r.phone_number_hash,
        r.phone_number_last4
    from resolved r
    left join campaigns c on c.campaign_id = r.resolved_campaign_id
    left join statuses s on s.status = r.status
    left join agent_map m on m.agent = r.user_name

),

final as (

    select *, cast(start_at_local as date) as date_local from joined

)

select * from final
