{#- 退役军人名册: the persons tagged 退役军人 (退役军人事务局 roster, living), with 入伍/退役时间, 优抚类别, 伤残等级. -#}
{{ config(enabled=model_configured('stg_veterans_affairs__veterans')) }}  {#- one department's roster: built where it is configured -#}


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
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join veterans on base.person_key = veterans.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'veteran_no': 'veterans.veteran_no',
    'enlisted_on': 'veterans.enlisted_on',
    'discharged_on': 'veterans.discharged_on',
    'preferential_category': 'veterans.preferential_category',
    'disability_grade': 'veterans.disability_grade',
}, where='base.committee_code is not null') }}
