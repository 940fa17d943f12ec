{#- 低收入家庭台账: the persons tagged 低收入 (on the 民政 低收入困难家庭 roster, living), with the latest 认定 and
    whether its 有效期 has passed at as_of (复核 due). The record shown is the one valid longest, so its 有效期至 is
    the profile's low_income_valid_until and 是否过期 agrees with low_income_review_due. -#}
{{ config(enabled=model_configured('stg_civil_affairs__low_income_persons')) }}  {#- one department's roster: built where it is configured -#}


with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('low_income') }}
),

low_income as (
    {{ ledger_department_record(
        'stg_civil_affairs__low_income_persons',
        'department.end_date desc nulls last, department.start_date desc nulls last, department.loaded_at desc') }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join low_income on base.person_key = low_income.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'case_no': 'low_income.case_no',
    'start_date': 'low_income.start_date',
    'end_date': 'low_income.end_date',
    'is_expired': ledger_yes_no('low_income.end_date < ' ~ as_of()),
    'income_per_capita': 'cast(low_income.income_per_capita as decimal(12, 2))',
    'assistance': 'low_income.assistance',
}, where='base.committee_code is not null') }}
