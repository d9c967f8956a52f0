{#- The defaults of the configuration (data-contract.md, Configuration): the value an empty cell, or
    a queue, campaign or client missing from its file, takes. Stated once, here; the stg_config__
    models and the intermediates that add unconfigured queues and campaigns read them. -#}
{% macro config_default(seed, column) %}
    {%- set defaults = {
        'clients': {
            'client_id': "'default'",
            'client_name': "'Default client'",
            'timezone': "'UTC'",
            'reporting_currency': "'EUR'",
        },
        'queues': {
            'client_id': "'default'",
            'sl_threshold_s': '20',
            'sl_target': '0.80',
            'short_abandon_s': '5',
            'sl_formula': "'offered_excl_short'",
        },
        'pause_reasons': {'category': "'other'"},
        'campaigns': {'client_id': "'default'"},
    } -%}
    {{- return(defaults[seed][column]) -}}
{% endmacro %}
