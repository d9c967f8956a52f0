{#- Agent KPIs per agent and local day (pbx_timezone). Grain: agent_id, date_local. Spans across
    midnight count their part in each day. A row for every agent-day with activity or a schedule. -#}
{%- set categories = ['acw', 'break', 'lunch', 'training', 'meeting', 'other'] -%}

with days as (

    select * from {{ ref('int_pbx_days') }}

),

states as (

    select * from {{ ref('fct_agent_states') }}

),

stints as (

    select * from {{ ref('fct_queue_stints') }}

),

events as (

    select * from {{ ref('int_queue_log_events') }}

),

schedule as (

    select * from {{ ref('int_agent_schedule') }}

),

state_days as (

    select
        s.agent_id,
        d.date_local,
        s.state,
        s.category,
        {{ callmart.overlap_s('s.start_epoch', 's.end_epoch', 'd.day_start_epoch', 'd.day_end_epoch') }} as seconds
    from states s
    inner join days d on s.start_epoch < d.day_end_epoch and s.end_epoch > d.day_start_epoch

),

state_sums as (

    select
        agent_id,
        date_local,
        sum(case when state = 'logged_in' then seconds else 0 end) as logged_in_s,
        sum(case when state = 'paused' then seconds else 0 end) as paused_s,
        {%- for c in categories %}
        sum(case when state = 'paused' and category = '{{ c }}' then seconds else 0 end) as paused_{{ c }}_s,
        {%- endfor %}
        sum(case when state = 'talk' then seconds else 0 end) as talk_s
    from state_days
    group by agent_id, date_local

),

handled as (

    select
        agent_id,
        cast({{ callmart.utc_to_local('connected_at_utc', callmart.tz_literal('pbx_timezone')) }} as date) as date_local,
        count(*) as calls_handled
    from stints
    where is_handled and agent_id is not null
    group by 1, 2

),

missed as (

    select
        agent_id,
        cast({{ callmart.utc_to_local('event_ts_utc', callmart.tz_literal('pbx_timezone')) }} as date) as date_local,
        count(*) as missed_rings
    from events
    where event = 'RINGNOANSWER' and agent_id is not null
    group by 1, 2

),

schedule_pieces as (

    select
        s.agent_id,
        d.date_local,
        s.activity,
        greatest(s.start_epoch, d.day_start_epoch) as start_epoch,
        least(s.end_epoch, d.day_end_epoch) as end_epoch
    from schedule s
    inner join days d on s.start_epoch < d.day_end_epoch and s.end_epoch > d.day_start_epoch

),

piece_states as (

    -- per schedule piece: seconds logged in, paused per category
    select
        p.agent_id,
        p.date_local,
        p.activity,
        p.start_epoch,
        p.end_epoch,
        coalesce(sum(case when s.state = 'logged_in'
            then {{ callmart.overlap_s('p.start_epoch', 'p.end_epoch', 's.start_epoch', 's.end_epoch') }} end), 0)
            as logged_in_s,
        coalesce(sum(case when s.state = 'paused' and s.category <> 'acw'
            then {{ callmart.overlap_s('p.start_epoch', 'p.end_epoch', 's.start_epoch', 's.end_epoch') }} end), 0)
            as paused_non_acw_s,
        coalesce(sum(case when s.state = 'paused' and s.category = p.activity
            then {{ callmart.overlap_s('p.start_epoch', 'p.end_epoch', 's.start_epoch', 's.end_epoch') }} end), 0)
            as paused_as_scheduled_s
    from schedule_pieces p
    left join states s
        on s.agent_id = p.agent_id and s.state in ('logged_in', 'paused')
        and s.start_epoch < p.end_epoch and s.end_epoch > p.start_epoch
    group by p.agent_id, p.date_local, p.activity, p.start_epoch, p.end_epoch

),

adherence as (

    select
        agent_id,
        date_local,
        sum(end_epoch - start_epoch) as scheduled_s,
        sum(case
            when activity = 'work' then logged_in_s - paused_non_acw_s
            else paused_as_scheduled_s + (end_epoch - start_epoch - logged_in_s)
        end) as adherent_s
    from piece_states
    group by agent_id, date_local

),

agent_days as (

    select agent_id, date_local from state_sums
    union
    select agent_id, date_local from handled
    union
    select agent_id, date_local from missed
    union
    select agent_id, date_local from adherence

),

joined as (

    select
        a.agent_id,
        a.date_local,
        coalesce(s.logged_in_s, 0) as logged_in_s,
        coalesce(s.paused_s, 0) as paused_s,
        {%- for c in categories %}
        coalesce(s.paused_{{ c }}_s, 0) as paused_{{ c }}_s,
        {%- endfor %}
        coalesce(s.paused_acw_s, 0) as acw_s,
        coalesce(s.talk_s, 0) as talk_s,
        coalesce(h.calls_handled, 0) as calls_handled,
        coalesce(m.missed_rings, 0) as missed_rings,
        coalesce(ad.scheduled_s, 0) as scheduled_s,
        coalesce(ad.adherent_s, 0) as adherent_s
    from agent_days a
    left join state_sums s on s.agent_id = a.agent_id and s.date_local = a.date_local
    left join handled h on h.agent_id = a.agent_id and h.date_local = a.date_local
    left join missed m on m.agent_id = a.agent_id and m.date_local = a.date_local
    left join adherence ad on ad.agent_id = a.agent_id and ad.date_local = a.date_local

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
