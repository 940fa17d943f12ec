{#- 来沪人员登记表: the persons tagged 来沪人员 (人员类别 来沪 in 实有人口, living), by the committee of the residence
    house, with 户籍地, 来沪日期, 居住证 and who holds the title of the house they live in. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('migrant') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        base.name,
        base.sex,
        base.ethnicity,
        base.birth_date,
        base.age,
        base.id_number,
        base.hukou_region_name,
        base.arrived_on,
        base.residence_permit_no,
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
    inner join tagged on base.person_key = tagged.person_key
    where base.committee_code is not null
)

select * from final
