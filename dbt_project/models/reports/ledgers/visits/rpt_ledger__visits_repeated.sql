{#- 重复走访清单: the repeated visits of fct_visit_repeat (a household visited by another department within the
    window before) of the last var('visit_log_weeks', 4) weeks up to as_of, at the committee of the visited house,
    with both visits side by side. -#}

with repeats as (
    {{ ledger_recent_visit_weeks('fct_visit_repeat') }}
),

persons as (
    select person_key, name from {{ ref('dim_person') }}
),

houses as (
    select house_key, address from {{ ref('dim_house') }}
)

{% set final_from %}
repeats
left join persons on repeats.person_key = persons.person_key
left join persons as prior_persons on repeats.prior_person_key = prior_persons.person_key
left join houses on repeats.house_key = houses.house_key
{% endset %}

{{ ledger_select(final_from, {
    'house_key': 'repeats.house_key',
    'person_key': 'repeats.person_key',
    'person_name': 'persons.name',
    'prior_person_name': 'prior_persons.name',
}, area_names_of='repeats') }}
