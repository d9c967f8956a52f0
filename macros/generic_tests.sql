{#- Generic data tests (dbt_utils is not reachable here; these are ours). -#}

{#- No two rows share the values of these columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_sharing
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- The column lies in [min_value, max_value] (either bound optional); NULL passes. -#}
{% test between(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }} {%- else %} false {%- endif %}
    or
    {%- if max_value is not none %} {{ column_name }} > {{ max_value }} {%- else %} false {%- endif %}
  )
{% endtest %}

{#- The column never exceeds another column (a numerator never above its denominator). -#}
{% test not_above(model, column_name, other) %}
select *
from {{ model }}
where {{ column_name }} > {{ other }}
{% endtest %}

{#- Every row satisfies a boolean SQL expression. -#}
{% test expression_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
