{#- 境外人员登记表: living persons of 人员类别 境外 (实有人口) by the committee of the residence house. No tag defines
    境外人员, so the rule is the profile's: status living and population_type 境外. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
)

{% set final_where %}
base.status = 'living'
  and base.population_type = '境外'
  and base.committee_code is not null
{% endset %}

{{ ledger_person_select('base', {
    'housing_title': "case
        when base.residence_owner_person_key is null then null
        when base.residence_owner_person_key = base.person_key then '本人产权'
        else '他人产权'
    end",
    'house_owner_name': 'case when base.residence_owner_person_key <> base.person_key then base.residence_owner_name end',
}, where=final_where) }}
