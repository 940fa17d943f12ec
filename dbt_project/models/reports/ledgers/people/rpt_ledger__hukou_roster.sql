{#- 户籍人口花名册: living 户籍 persons by the committee of their 户籍 house, with their 户 (户号, 与户主关系). -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

final as (
    select
        {{ ledger_scope_columns('base', 'hukou') }},
        base.person_key,
        base.household_no,
        base.name,
        base.relation_to_head,
        base.sex,
        base.ethnicity,
        base.birth_date,
        base.age,
        base.id_number,
        base.hukou_address,
        base.hukou_registered_on,
        base.residence_address,
        case
            when base.residence_house_key is null then null
            when base.residence_house_key = base.hukou_house_key then '人户一致'
            else '户在人不在'
        end as separation_status,
        base.education,
        base.employer,
        base.phone
    from base
    where base.status = 'living'
      and base.population_type = '户籍'
      and base.hukou_committee_code is not null
)

select * from final
