{#- 少数民族人员名册: the persons tagged 少数民族 (民族 known and not 汉族, living). -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('ethnic_minority') }}
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
        base.population_type,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    where base.committee_code is not null
)

select * from final
