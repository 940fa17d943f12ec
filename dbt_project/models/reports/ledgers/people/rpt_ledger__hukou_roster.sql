{#- 户籍人口花名册: living 户籍 persons by the committee of their 户籍 house, with their 户 (户号, 与户主关系). -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
)

{% set final_where %}
base.status = 'living'
  and base.population_type = '户籍'
  and base.hukou_committee_code is not null
{% endset %}

{{ ledger_person_select('base', {
    'separation_status': "case
        when base.residence_house_key is null then null
        when base.residence_house_key = base.hukou_house_key then '人户一致'
        else '户在人不在'
    end",
}, where=final_where, basis='hukou') }}
