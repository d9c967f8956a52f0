{#- One row per CRM contact, with its client (its case's, else its queue's, else its campaign's, else
    `default`), client-local day, agent, and for phone contacts the queue stint of its callid (in
    the contact's queue when it names one, else the call's answering stint). Grain: contact_id. -#}
{{ config(materialized='incremental', unique_key='date_local', partition_by=['_rebuild_day']) }}
-- depends_on: {{ ref('int_rebuild_window') }}

with contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

cases as (select case_id, client_id from {{ ref('stg_crm__cases') }}),
queues as (select queue, client_id from {{ ref('int_queues') }}),
campaigns as (select campaign_id, client_id from {{ ref('int_campaigns') }}),
clients as (select * from {{ ref('stg_config__clients') }}),
agent_map as (select * from {{ ref('stg_config__agents') }}),
calls as (select callid, answering_stint_id from {{ ref('fct_calls') }}),

stints_ranked as (

    -- a caller can enter one queue several times: the contact is its latest stint there (by
    -- stint_no, a number: stint 10 comes after stint 9)
    select
        callid,
        queue,
        stint_id,
        row_number() over (partition by callid, queue order by stint_no desc) as stint_rank
    from {{ ref('fct_queue_stints') }}

),

stints_by_queue as (

    select callid, queue, stint_id from stints_ranked where stint_rank = 1

),

resolved as (

    select
        c.*,
        coalesce(cs.client_id, q.client_id, cp.client_id, {{ callmart.config_default('clients', 'client_id') }}) as resolved_client_id
    from contacts c
    left join cases cs on cs.case_id = c.case_id
    left join queues q on q.queue = c.queue
    left join campaigns cp on cp.campaign_id = c.campaign_id

),

final_rows as (

    select
        r.contact_id,
        r.contact_ts_utc,
        cast({{ callmart.utc_to_local('r.contact_ts_utc', "coalesce(cl.timezone, " ~ callmart.config_default('clients', 'timezone') ~ ")") }} as date) as date_local,
        r.resolved_client_id as client_id,
        coalesce(r.channel, 'unknown') as channel,
        r.direction,
        r.customer_id,
        r.case_id,
        {{ callmart.mapped_agent_id('r.agent', 'm') }} as agent_id,
        r.queue,
        coalesce(r.campaign_id, 'none') as campaign_id,
        r.callid,
        coalesce(sq.stint_id, ca.answering_stint_id) as stint_id,
        r.is_resolved
    from resolved r
    left join clients cl on cl.client_id = r.resolved_client_id
    left join agent_map m on m.agent = r.agent
    left join stints_by_queue sq on sq.callid = r.callid and sq.queue = r.queue
    left join calls ca on ca.callid = r.callid

),

final as (

    select * from final_rows where {{ callmart.in_rebuilt_days('date_local') }}

)

select *{{ callmart.partition_day('date_local') }} from final
