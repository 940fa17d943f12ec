{#- Every value of the column is a configured source system (a key of source_systems(), generated from
    connectors/sources/*.yaml): a record of an unknown system fails, a new system needs no edit here. -#}
{% test configured_system(model, column_name) %}

select {{ column_name }}, count(*) as row_count
from {{ model }}
where {{ column_name }} not in ('{{ source_systems().keys() | sort | join("', '") }}')
group by {{ column_name }}

{% endtest %}
