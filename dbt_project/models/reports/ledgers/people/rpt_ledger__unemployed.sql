{#- 失业人员台账: the persons tagged 失业登记 (an open 失业登记 at as_of, living), with that registration. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('unemployment_registered') }}
),

registrations as (
    {{ ledger_department_record(
        'stg_human_resources__employment_registrations',
        'department.registered_on desc nulls last, department.loaded_at desc',
        where="department.registration_type = '失业登记' and department.ended_on is null and (department.registered_on is null or department.registered_on <= " ~ ledger_as_of() ~ ")") }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        registrations.registration_no,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        base.education,
        registrations.registered_on,
        base.hukou_address,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join registrations on base.person_key = registrations.person_key
    where base.committee_code is not null
)

select * from final
