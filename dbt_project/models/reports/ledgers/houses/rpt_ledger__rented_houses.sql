{#- 出租房屋台账: one row per (出租 house, resident). Every resident of a house let out (出租情况 = 出租 in
    rpt_ledger__house_basics) is a 承租人 (the 权利人 does not live there), listed with the landlord. -#}

with persons as (
    select person_key, name, sex, birth_date, id_number, phone, population_type, hukou_address, residence_house_key
    from {{ ref('dim_person') }}
    where status = 'living'
),

profiles as (
    select person_key, residence_since
    from {{ ref('dim_person_profile') }}
)

{% set final_from %}
{{ ref('rpt_ledger__house_basics') }} as houses
inner join persons on houses.house_key = persons.residence_house_key
left join profiles on persons.person_key = profiles.person_key
{% endset %}

{{ ledger_select(final_from, {
    'person_key': 'persons.person_key',
    'tenant_name': 'persons.name',
    'tenant_sex': 'persons.sex',
    'tenant_birth_date': 'persons.birth_date',
    'tenant_id_number': 'persons.id_number',
    'tenant_phone': 'persons.phone',
    'tenant_population_type': 'persons.population_type',
    'tenant_hukou_address': 'persons.hukou_address',
}, where="houses.occupancy = '出租'") }}
