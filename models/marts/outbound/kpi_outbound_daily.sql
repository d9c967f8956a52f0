{#- Dialer funnel per client, campaign and client-local day of the attempts. Grain: client_id,
    campaign_id, date_local. records_total counts the campaign's leads with an entry date up to that
    day; records_processed and records_reached count distinct leads dialed that day. -#}
with attempts as (

    select * from {{ ref('fct_dial_attempts') }}

),

leads as (

    select * from {{ ref('fct_leads') }}

),

counts as (

    select client_id, campaign_id, date_local, {{ callmart.outbound_attempt_counts() }}
    from attempts
    group by client_id, campaign_id, date_local

),

with_total as (

    select
        c.*,
        (select count(*) from leads l
         where l.campaign_id = c.campaign_id and l.entry_date_local <= c.date_local) as records_total
    from counts c

),

final as (

    select *, {{ callmart.outbound_rates() }} from with_total

)

select * from final
