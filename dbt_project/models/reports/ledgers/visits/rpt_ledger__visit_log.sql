{#- 走访记录明细: one row per visit (fct_visit) of the last var('visit_log_weeks', 4) weeks (Monday-based, the week
    of as_of included) up to as_of, at the committee of the visited house, with the person, the house and whether it
    repeated another department's visit (fct_visit_repeat). -#}

with as_of as (
    select
        cast('{{ var("as_of") }}' as date) as as_of_date,
        cast(date_trunc('week', cast('{{ var("as_of") }}' as date)) as date)
            - to_weeks({{ var('visit_log_weeks', 4) }} - 1) as first_week
),

visits as (
    select visits.*
    from {{ ref('fct_visit') }} as visits
    cross join as_of
    where visits.visited_on <= as_of.as_of_date and visits.visit_week >= as_of.first_week
),

persons as (
    select person_key, name, id_number, phone from {{ ref('dim_person') }}
),

houses as (
    select house_key, address from {{ ref('dim_house') }}
),

repeats as (
    select visit_key, prior_visitor_department, prior_visited_on from {{ ref('fct_visit_repeat') }}
),

areas as (
    select code, name from {{ ref('dim_area') }}
)

{% set final_from %}
visits
left join persons on visits.person_key = persons.person_key
left join houses on visits.house_key = houses.house_key
left join repeats on visits.visit_key = repeats.visit_key
left join areas as districts on visits.district_code = districts.code
left join areas as streets on visits.street_code = streets.code
left join areas as committees on visits.committee_code = committees.code
{% endset %}

{{ ledger_select(final_from, {
    'visit_key': 'visits.visit_key',
    'person_key': 'visits.person_key',
    'house_key': 'visits.house_key',
    'district_name': 'districts.name',
    'street_name': 'streets.name',
    'committee_name': 'committees.name',
    'person_name': 'coalesce(persons.name, visits.person_name)',
    'id_number': 'coalesce(persons.id_number, visits.id_number)',
    'address': 'coalesce(houses.address, visits.address)',
    'is_repeated': 'repeats.visit_key is not null',
}) }}
