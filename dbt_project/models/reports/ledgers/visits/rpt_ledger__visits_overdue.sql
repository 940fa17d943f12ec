{#- 逾期未走访对象清单: the residents fct_visit_overdue finds overdue at as_of (a visit-frequency tag and no visit
    within its days, or never visited), at their residence committee, with who they are and where they live. -#}

with overdue as (
    select *
    from {{ ref('fct_visit_overdue') }}
    where is_overdue and committee_code is not null
),

persons as (
    select person_key, name, id_number, phone, residence_address from {{ ref('dim_person') }}
),

profiles as (
    select person_key, sex, age from {{ ref('dim_person_profile') }}
)

{% set final_from %}
overdue
left join persons on overdue.person_key = persons.person_key
left join profiles on overdue.person_key = profiles.person_key
{% endset %}

{{ ledger_select(final_from, {
    'name': 'persons.name',
    'person_key': 'overdue.person_key',
    'tag_names': "array_to_string(overdue.tag_names, '、')",
    'visit_rule': 'overdue.rule_label',
    'visit_max_days': 'overdue.max_days',
    'visit_due_on': 'overdue.due_on',
}, area_names_of='overdue') }}
