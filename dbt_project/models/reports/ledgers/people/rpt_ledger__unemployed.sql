{#- 失业人员台账: the persons tagged 失业登记 (an open 失业登记 at as_of, living), with that registration. -#}
{{ config(enabled=model_configured('stg_human_resources__employment_registrations')) }}  {#- one department's roster: built where it is configured -#}


with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('unemployment_registered') }}
),

registrations as (
    {{ ledger_department_record(
        'stg_human_resources__employment_registrations',
        'department.registered_on desc nulls last, department.loaded_at desc',
        where="department.registration_type = '失业登记' and department.ended_on is null and (department.registered_on is null or department.registered_on <= " ~ as_of() ~ ")") }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join registrations on base.person_key = registrations.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'registration_no': 'registrations.registration_no',
    'registered_on': 'registrations.registered_on',
}, where='base.committee_code is not null') }}
