{#- 空置房屋台账: one row per house nobody lives in (出租情况 = 空置 in rpt_ledger__house_basics), with its 权利人,
    where the 权利人 lives now, the persons still registered (户籍) there and when the last resident left. -#}

with owners as (
    select person_key, residence_address
    from {{ ref('dim_person') }}
    where status = 'living'
)

{% set final_from %}
{{ ref('rpt_ledger__house_basics') }} as houses
left join owners on houses.owner_person_key = owners.person_key
{% endset %}

{{ ledger_select(final_from, {
    'owner_residence_address': 'owners.residence_address',
}, where="houses.occupancy = '空置'") }}
