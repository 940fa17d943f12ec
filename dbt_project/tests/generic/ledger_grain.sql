{#- The ledger has one row per combination of `columns` (nulls compare equal, unlike `unique` on a concatenation,
    which skips any row with a null part). Fails with the repeated combinations and how often they occur. -#}
{% test ledger_grain(model, columns) %}

select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
