{#- 重复走访清单: the repeated visits of fct_visit_repeat (a household visited by another department within the
    window before) of the last var('visit_log_weeks', 4) weeks up to as_of, at the committee of the visited house,
    with both visits side by side. -#}

with as_of as (
    select
        cast('{{ var("as_of") }}' as date) as as_of_date,
        cast(date_trunc('week', cast('{{ var("as_of") }}' as date)) as date)
            - to_weeks({{ var('visit_log_weeks', 4) }} - 1) as first_week
),

repeats as (
    select repeats.*
    from {{ ref('fct_visit_repeat') }} as repeats
    cross join as_of
    where repeats.visited_on <= as_of.as_of_date and repeats.visit_week >= as_of.first_week
),

persons as (
    select person_key, name from {{ ref('dim_person') }}
),

houses as (
    select house_key, address from {{ ref('dim_house') }}
),

areas as (
    select code, name from {{ ref('dim_area') }}
)

{% set final_from %}
repeats
left join persons on repeats.person_key = persons.person_key
left join persons as prior_persons on repeats.prior_person_key = prior_persons.person_key
left join houses on repeats.house_key = houses.house_key
left join areas as districts on repeats.district_code = districts.code
left join areas as streets on repeats.street_code = streets.code
left join areas as committees on repeats.committee_code = committees.code
{% endset %}

{{ ledger_select(final_from, {
    'house_key': 'repeats.house_key',
    'person_key': 'repeats.person_key',
    'district_name': 'districts.name',
    'street_name': 'streets.name',
    'committee_name': 'committees.name',
    'person_name': 'persons.name',
    'prior_person_name': 'prior_persons.name',
}) }}
