{#- One row per contact channel: the contract's channels and any other text seen in contacts. Grain: channel. -#}
with known as (

    select channel from (values
        ('phone'), ('chat'), ('email'), ('sms'), ('whatsapp'), ('viber'), ('messenger'), ('telegram'),
        ('self_service'), ('unknown')
    ) as channels (channel)

),

seen as (

    select distinct channel from {{ ref('fct_contacts') }}

),

final as (

    select channel, true as is_standard from known
    union all
    select channel, false from seen where channel not in (select channel from known)

)

select * from final
