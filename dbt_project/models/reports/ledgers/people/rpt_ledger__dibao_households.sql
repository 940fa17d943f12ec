{#- 低保家庭台账: the persons tagged 低保 (covered members on the 民政 低保 roster, living), one row per member, grouped
    into 家庭 by 低保证号, with the case facts of the member's latest 低保 record. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('dibao') }}
),

dibao as (
    {{ ledger_department_record(
        'stg_civil_affairs__dibao_members',
        'department.start_date desc nulls last, department.loaded_at desc') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        dibao.case_no,
        dibao.head_name,
        base.name,
        dibao.relation_to_head,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        cast(dibao.household_size as integer) as household_size,
        cast(dibao.covered_persons as integer) as covered_persons,
        cast(dibao.monthly_amount as decimal(12, 2)) as monthly_amount,
        dibao.start_date,
        dibao.hardship_reason,
        base.residence_address,
        base.phone
    from base
    inner join tagged on base.person_key = tagged.person_key
    left join dibao on base.person_key = dibao.person_key
    where base.committee_code is not null
)

select * from final
