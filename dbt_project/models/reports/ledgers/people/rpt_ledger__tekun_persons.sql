{#- 特困人员台账: the persons tagged 特困 (on the 民政 特困 roster, living), with 供养方式, 供养起始日期 and 照料人. -#}
{{ config(enabled=model_configured('stg_civil_affairs__tekun_persons')) }}  {#- one department's roster: built where it is configured -#}


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
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join tekun on base.person_key = tekun.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'case_no': 'tekun.case_no',
    'support_type': 'tekun.support_type',
    'start_date': 'tekun.start_date',
    'caregiver_name': 'tekun.caregiver_name',
}, where='base.committee_code is not null') }}
