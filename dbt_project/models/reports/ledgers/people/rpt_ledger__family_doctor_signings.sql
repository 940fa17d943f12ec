{#- 家庭医生签约台账: the persons tagged 家庭医生签约 (a signing in force at as_of, living), with that signing. -#}
{{ config(enabled=model_configured('stg_health_commission__family_doctor_signings')) }}  {#- one department's roster: built where it is configured -#}


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
        where="(department.sign_date is null or department.sign_date <= " ~ as_of() ~ ") and (department.expire_date is null or department.expire_date >= " ~ as_of() ~ ")") }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join signings on base.person_key = signings.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'sign_id': 'signings.sign_id',
    'sign_org': 'signings.sign_org',
    'doctor_name': 'signings.doctor_name',
    'sign_date': 'signings.sign_date',
    'expire_date': 'signings.expire_date',
    'chronic_diseases': 'signings.chronic_diseases',
}, where='base.committee_code is not null') }}
