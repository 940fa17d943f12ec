{#- 少数民族人员名册: the persons tagged 少数民族 (民族 known and not 汉族, living). -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('ethnic_minority') }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
{% endset %}

{{ ledger_person_select(final_from, where='base.committee_code is not null') }}
