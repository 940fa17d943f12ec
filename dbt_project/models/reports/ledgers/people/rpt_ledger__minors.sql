{#- 未成年人花名册: living persons under 18 at as_of (no tag defines minors; the rule is the profile's). Minimum scope
    (PIPL Art. 6, 28): no phone, which is mostly a parent's. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
)

{% set final_where %}
base.status = 'living'
  and base.age < 18
  and base.committee_code is not null
{% endset %}

{{ ledger_person_select('base', where=final_where) }}
