{#- 境外人员登记表: living persons of 人员类别 境外 (实有人口) by the committee of the residence house. No tag defines
    境外人员, so the rule is the profile's: status living and population_type 境外. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        base.hukou_region_name,
        base.arrived_on,
        base.residence_address,
        base.residence_since,
        case
            when base.residence_owner_person_key is null then null
            when base.residence_owner_person_key = base.person_key then '本人产权'
            else '他人产权'
        end as housing_title,
        case when base.residence_owner_person_key <> base.person_key then base.residence_owner_name end as house_owner_name,
        base.employer,
        base.phone
    from base
    where base.status = 'living'
      and base.population_type = '境外'
      and base.committee_code is not null
)

select * from final
