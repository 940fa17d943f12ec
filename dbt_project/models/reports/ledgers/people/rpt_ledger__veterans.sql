{#- 退役军人名册: the persons tagged 退役军人 (退役军人事务局 roster, living), with 入伍/退役时间, 优抚类别, 伤残等级. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('veteran') }}
),

veterans as (
    {{ ledger_department_record(
        'stg_veterans_affairs__veterans',
        'department.discharged_on desc nulls last, department.loaded_at desc') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        veterans.veteran_no,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        veterans.enlisted_on,
        veterans.discharged_on,
        veterans.preferential_category,
        veterans.disability_grade,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join veterans on base.person_key = veterans.person_key
    where base.committee_code is not null
)

select * from final
