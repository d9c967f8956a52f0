{#- One row per call (callid): all its stints, measured from the first ENTERQUEUE. Offered once none
    of its stints is in progress; answered when any stint is (wait = first entry to first CONNECT);
    otherwise the last stint's outcome (wait = first entry to the last terminal event). T and S,
    client and day are the first queue's. Repeat: an answered call whose caller reached any queue
    within repeat_call_window_hours before its first entry. Incremental: the calls with a stint on a
    rebuilt day, whole, and the entries of the repeat window before them. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with all_stints as (

    select * from {{ ref('fct_queue_stints') }}

),

rebuilt_calls as (

    select distinct callid from all_stints where {{ callmart.in_rebuilt_days('date_local') }}

),

stints as (

    select all_stints.*
    from all_stints
    {%- if is_incremental() %}
    inner join rebuilt_calls on rebuilt_calls.callid = all_stints.callid
    {%- endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by callid order by entered_epoch, entry_seq) as first_rank,
        row_number() over (partition by callid order by terminal_epoch desc nulls last, entry_seq desc) as last_rank,
        row_number() over (
            partition by callid
            order by case when outcome = 'answered' then 0 else 1 end, connected_epoch nulls last, entry_seq
        ) as answer_rank
    from stints

),

per_call as (

    select
        callid,
        count(*) as stints,
        count(distinct queue) as queues,
        {{ callmart.count_where("outcome = 'in_progress'") }} as stints_in_progress,
        {{ callmart.count_where("outcome = 'answered'") }} as stints_answered,
        {{ callmart.count_where("is_transferred") }} as transfers
    from stints
    group by callid

),

first_stint as (select * from ranked where first_rank = 1),
last_stint as (select * from ranked where last_rank = 1),
answering_stint as (select * from ranked where answer_rank = 1 and outcome = 'answered'),

calls as (

    select
        f.callid,
        f.client_id,
        f.queue as first_queue,
        f.entered_at_utc as first_entered_at_utc,
        f.entered_at_local as first_entered_at_local,
        f.date_local,
        f.entered_epoch as first_entered_epoch,
        f.sl_threshold_s,
        f.short_abandon_s,
        f.caller_number_hash,
        f.caller_number_last4,
        p.stints,
        p.queues,
        p.transfers,
        p.stints_in_progress = 0 as is_offered,
        case
            when p.stints_in_progress > 0 then 'in_progress'
            when p.stints_answered > 0 then 'answered'
            else l.outcome
        end as outcome,
        case
            when p.stints_in_progress > 0 then null
            when p.stints_answered > 0 then a.connected_epoch - f.entered_epoch
            else l.terminal_epoch - f.entered_epoch
        end as wait_s,
        a.stint_id as answering_stint_id,
        a.queue as answering_queue,
        a.agent_id as answering_agent_id,
        a.date_local as answering_date_local,
        l.queue as last_queue

    from first_stint f
    inner join per_call p on p.callid = f.callid
    inner join last_stint l on l.callid = f.callid
    left join answering_stint a on a.callid = f.callid

),

previous_entries as (

    select callid, caller_number_hash, entered_epoch
    from all_stints
    where caller_number_hash is not null
        and {{ callmart.in_rebuild_window('entered_epoch', var('repeat_call_window_hours') ~ ' * 3600') }}

),

caller_timeline as (

    {#- Each caller's entries, and each answered call at its first entry. An entry before a call's
        first entry is another call's, so the latest one before it decides (one window, no join of
        a frequent caller's calls with each other). At the same second the call comes first: the
        rule is "before". -#}
    select caller_number_hash, entered_epoch as timeline_epoch, 1 as timeline_order,
           cast(null as {{ dbt.type_string() }}) as callid
    from previous_entries
    union all
    select caller_number_hash, first_entered_epoch as timeline_epoch, 0 as timeline_order, callid
    from calls
    where outcome = 'answered' and caller_number_hash is not null

),

previous_entry as (

    select
        callid,
        timeline_epoch as first_entered_epoch,
        max(case when timeline_order = 1 then timeline_epoch end) over (
            partition by caller_number_hash order by timeline_epoch, timeline_order
            rows between unbounded preceding and 1 preceding
        ) as previous_entered_epoch
    from caller_timeline

),

repeats as (

    select callid
    from previous_entry
    where callid is not null
        and previous_entered_epoch >= first_entered_epoch - {{ var('repeat_call_window_hours') }} * 3600

),

final as (

    select
        c.*,
        c.outcome = 'answered' and c.wait_s <= c.sl_threshold_s as is_answered_within_sl,
        c.outcome = 'abandoned' and c.wait_s < c.short_abandon_s as is_short_abandoned,
        r.callid is not null as is_repeat
    from calls c
    left join repeats r on r.callid = c.callid
    where {{ callmart.in_rebuilt_days('c.date_local') }}

)

select *{{ callmart.partition_day('date_local') }} from final
