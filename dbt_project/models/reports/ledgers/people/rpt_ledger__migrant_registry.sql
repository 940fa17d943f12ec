{#- 来沪人员登记表: the persons tagged 来沪人员 (人员类别 来沪 in 实有人口, living), by the committee of the residence
    house, with 户籍地, 来沪日期, 居住证 and who holds the title of the house they live in. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('migrant') }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'housing_title': "case
        when base.residence_owner_person_key is null then null
        when base.residence_owner_person_key = base.person_key then '本人产权'
        else '他人产权'
    end",
    'house_owner_name': 'case when base.residence_owner_person_key <> base.person_key then base.residence_owner_name end',
}, where='base.committee_code is not null') }}
