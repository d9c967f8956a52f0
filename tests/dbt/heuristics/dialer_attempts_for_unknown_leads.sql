{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'stg_vicidial__attempts'}}}) }}
-- Dial attempts for leads missing from the leads export (when there is one): records_total
-- undercounts.
with

attempts as (
    select * from {{ ref('stg_vicidial__attempts') }}
),

leads as (
    select * from {{ ref('stg_vicidial__leads') }}
),

leads_exported as (
    select count(*) as leads from leads
),

final as (
    select
        attempts.lead_id,
        count(*) as attempts
    from attempts
    cross join leads_exported
    left join leads
        on leads.lead_id = attempts.lead_id
    where leads_exported.leads > 0
      and leads.lead_id is null
    group by attempts.lead_id
)

select * from final
