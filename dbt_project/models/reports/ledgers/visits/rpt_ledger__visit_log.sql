{#- 走访记录明细: one row per visit (fct_visit) of the last var('visit_log_weeks', 4) weeks (Monday-based, the week
    of as_of included) up to as_of, at the committee of the visited house, with the person, the house and whether it
    repeated another department's visit (fct_visit_repeat). -#}

with visits as (
    {{ ledger_recent_visit_weeks('fct_visit') }}
),

persons as (
    select person_key, name, id_number, phone from {{ ref('dim_person') }}
),

houses as (
    select house_key, address from {{ ref('dim_house') }}
),

repeats as (
    select visit_key, prior_visitor_department, prior_visited_on from {{ ref('fct_visit_repeat') }}
)

{% set final_from %}
visits
left join persons on visits.person_key = persons.person_key
left join houses on visits.house_key = houses.house_key
left join repeats on visits.visit_key = repeats.visit_key
{% endset %}

{{ ledger_select(final_from, {
    'visit_key': 'visits.visit_key',
    'person_key': 'visits.person_key',
    'house_key': 'visits.house_key',
    'person_name': 'coalesce(persons.name, visits.person_name)',
    'id_number': 'coalesce(persons.id_number, visits.id_number)',
    'address': 'coalesce(houses.address, visits.address)',
    'is_repeated': 'repeats.visit_key is not null',
}, area_names_of='visits') }}
