{#- 特困人员台账: the persons tagged 特困 (on the 民政 特困 roster, living), with 供养方式, 供养起始日期 and 照料人. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('tekun') }}
),

tekun as (
    {{ ledger_department_record(
        'stg_civil_affairs__tekun_persons',
        'department.start_date desc nulls last, department.loaded_at desc') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        tekun.case_no,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        tekun.support_type,
        tekun.start_date,
        tekun.caregiver_name,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join tekun on base.person_key = tekun.person_key
    where base.committee_code is not null
)

select * from final
