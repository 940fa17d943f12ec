{#- 家庭医生签约台账: the persons tagged 家庭医生签约 (a signing in force at as_of, living), with that signing. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('family_doctor_signed') }}
),

signings as (
    {{ ledger_department_record(
        'stg_health_commission__family_doctor_signings',
        'department.sign_date desc nulls last, department.loaded_at desc',
        where="(department.sign_date is null or department.sign_date <= " ~ ledger_as_of() ~ ") and (department.expire_date is null or department.expire_date >= " ~ ledger_as_of() ~ ")") }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        signings.sign_id,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        signings.sign_org,
        signings.doctor_name,
        signings.sign_date,
        signings.expire_date,
        signings.chronic_diseases,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join signings on base.person_key = signings.person_key
    where base.committee_code is not null
)

select * from final
