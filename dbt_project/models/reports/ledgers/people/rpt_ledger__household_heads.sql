{#- 户主名册: the living 户主 of each 户 (与户主关系 = 户主 in the 户籍 register), by the committee of the 户籍 house,
    with the number of living 户籍 members registered under the same 户号. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

members as (
    select household_no, count(*) as member_count
    from base
    where status = 'living' and population_type = '户籍' and household_no is not null
    group by household_no
)

{% set final_from %}
base
inner join members on base.household_no = members.household_no
{% endset %}

{% set final_where %}
base.status = 'living'
  and base.population_type = '户籍'
  and base.relation_to_head = '户主'
  and base.hukou_committee_code is not null
{% endset %}

{{ ledger_person_select(final_from, {
    'member_count': 'cast(members.member_count as integer)',
    'separation_status': "case
        when base.residence_house_key is null then null
        when base.residence_house_key = base.hukou_house_key then '人户一致'
        else '户在人不在'
    end",
}, where=final_where, basis='hukou') }}
