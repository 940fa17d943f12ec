{#- The model has exactly one row (a one-row table such as build_info). Fails with the row count. -#}
{% test exactly_one_row(model) %}

select count(*) as row_count
from {{ model }}
having count(*) <> 1

{% endtest %}
