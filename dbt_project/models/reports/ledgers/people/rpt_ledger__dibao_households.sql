{#- 低保家庭台账: the persons tagged 低保 (covered members on the 民政 低保 roster, living), one row per member, grouped
    into 家庭 by 低保证号, with the case facts of the member's latest 低保 record. -#}
{{ config(enabled=model_configured('stg_civil_affairs__dibao_members')) }}  {#- one department's roster: built where it is configured -#}


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
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join dibao on base.person_key = dibao.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'case_no': 'dibao.case_no',
    'head_name': 'dibao.head_name',
    'relation_to_head': 'dibao.relation_to_head',
    'household_size': 'cast(dibao.household_size as integer)',
    'covered_persons': 'cast(dibao.covered_persons as integer)',
    'monthly_amount': 'cast(dibao.monthly_amount as decimal(12, 2))',
    'start_date': 'dibao.start_date',
    'hardship_reason': 'dibao.hardship_reason',
}, where='base.committee_code is not null') }}
