{#- 劳动年龄人口台账: living persons aged 16 to 59 at as_of (国家统计局 劳动年龄人口 16-59周岁, both sexes), with
    their 就业失业登记 state (人社): an open 失业登记 (the 失业登记 tag's rule), else an open 就业登记, else none. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

profiles as (
    select person_key, unemployed
    from {{ ref('dim_person_profile') }}
)

{% set final_from %}
base
inner join profiles on base.person_key = profiles.person_key
{% endset %}

{% set final_where %}
base.status = 'living'
  and base.age between 16 and 59
  and base.committee_code is not null
{% endset %}

{{ ledger_person_select(final_from, {
    'employment_registration': "case
        when profiles.unemployed then '失业登记'
        when base.employer is not null then '就业登记'
        else '无登记'
    end",
    'employer': 'case when not profiles.unemployed then base.employer end',
}, where=final_where) }}
