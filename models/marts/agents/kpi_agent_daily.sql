{#- Agent KPIs per agent and local day (pbx_timezone). Grain: agent_id, date_local. A row for every
    agent-day with activity or a schedule: the day's states (int_agent_day_states), calls
    (int_agent_day_calls) and adherence (int_agent_day_adherence), then the figures and rates. -#}

with day_states as (

    select * from {{ ref('int_agent_day_states') }}

),

day_calls as (

    select * from {{ ref('int_agent_day_calls') }}

),

day_adherence as (

    select * from {{ ref('int_agent_day_adherence') }}

),

agent_days as (

    select agent_id, date_local from day_states
    union
    select agent_id, date_local from day_calls
    union
    select agent_id, date_local from day_adherence

),

joined as (

    select
        agent_days.agent_id,
        agent_days.date_local,
        coalesce(day_states.logged_in_s, 0) as logged_in_s,
        coalesce(day_states.paused_s, 0) as paused_s,
        {%- for category in callmart.pause_categories() %}
        coalesce(day_states.paused_{{ category }}_s, 0) as paused_{{ category }}_s,
        {%- endfor %}
        coalesce(day_states.paused_acw_s, 0) as acw_s,
        coalesce(day_states.talk_s, 0) as talk_s,
        coalesce(day_calls.calls_handled, 0) as calls_handled,
        coalesce(day_calls.missed_rings, 0) as missed_rings,
        coalesce(day_adherence.scheduled_s, 0) as scheduled_s,
        coalesce(day_adherence.adherent_s, 0) as adherent_s
    from agent_days
    left join day_states
        on day_states.agent_id = agent_days.agent_id and day_states.date_local = agent_days.date_local
    left join day_calls
        on day_calls.agent_id = agent_days.agent_id and day_calls.date_local = agent_days.date_local
    left join day_adherence
        on day_adherence.agent_id = agent_days.agent_id and day_adherence.date_local = agent_days.date_local

),

figures as (

    select
        *,
        logged_in_s - (paused_s - paused_acw_s) as available_s,
        talk_s + acw_s as handle_s
    from joined

),

final as (

    select
        *,
        available_s - talk_s - acw_s as idle_s,
        {{ callmart.safe_divide('handle_s', 'available_s') }} as occupancy,
        {{ callmart.safe_divide('handle_s', 'logged_in_s') }} as utilization,
        {{ callmart.safe_divide('calls_handled', 'logged_in_s / 3600.0') }} as calls_per_hour,
        {{ callmart.safe_divide('handle_s', 'calls_handled') }} as aht_s,
        {{ callmart.safe_divide('adherent_s', 'scheduled_s') }} as adherence
    from figures

)

select * from final
