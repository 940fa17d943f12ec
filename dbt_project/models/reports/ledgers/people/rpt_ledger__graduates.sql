{#- 应届毕业生名册: the persons tagged 应届毕业生 (毕业年份 = the year of as_of, living), with their 教委 record. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('graduate_this_year') }}
),

graduates as (
    {{ ledger_department_record(
        'stg_education__graduates',
        'department.graduation_year desc nulls last, department.loaded_at desc') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        base.name,
        base.sex,
        base.birth_date,
        base.id_number,
        graduates.school,
        graduates.major,
        graduates.degree,
        cast(graduates.graduation_year as integer) as graduation_year,
        graduates.employment_status,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join graduates on base.person_key = graduates.person_key
    where base.committee_code is not null
)

select * from final
