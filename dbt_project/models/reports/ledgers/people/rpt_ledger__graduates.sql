{#- 应届毕业生名册: the persons tagged 应届毕业生 (毕业年份 = the year of as_of, living), with their 教委 record. -#}
{{ config(enabled=model_configured('stg_education__graduates')) }}  {#- one department's roster: built where it is configured -#}


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
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join graduates on base.person_key = graduates.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'school': 'graduates.school',
    'major': 'graduates.major',
    'degree': 'graduates.degree',
    'graduation_year': 'cast(graduates.graduation_year as integer)',
    'employment_status': 'graduates.employment_status',
}, where='base.committee_code is not null') }}
