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
),

final as (
    select
        cast(repeats.district_code as varchar) as district_code,
        cast(districts.name as varchar) as district_name,
        cast(repeats.street_code as varchar) as street_code,
        cast(streets.name as varchar) as street_name,
        cast(repeats.committee_code as varchar) as committee_code,
        cast(committees.name as varchar) as committee_name,
        cast(repeats.visit_key as varchar) as visit_key,
        cast(repeats.visit_week as date) as visit_week,
        cast(repeats.house_key as varchar) as house_key,
        cast(houses.address as varchar) as address,
        cast(repeats.person_key as varchar) as person_key,
        cast(persons.name as varchar) as person_name,
        cast(repeats.visited_on as date) as visited_on,
        cast(repeats.visitor_department as varchar) as visitor_department,
        cast(repeats.visitor_name as varchar) as visitor_name,
        cast(repeats.method as varchar) as method,
        cast(repeats.prior_visited_on as date) as prior_visited_on,
        cast(repeats.prior_visitor_department as varchar) as prior_visitor_department,
        cast(repeats.prior_visitor_name as varchar) as prior_visitor_name,
        cast(repeats.prior_method as varchar) as prior_method,
        cast(prior_persons.name as varchar) as prior_person_name,
        cast(repeats.days_apart as integer) as days_apart,
        cast(repeats.same_person as boolean) as same_person,
        cast(repeats.prior_visits_in_window as integer) as prior_visits_in_window
    from repeats
    left join persons on repeats.person_key = persons.person_key
    left join persons as prior_persons on repeats.prior_person_key = prior_persons.person_key
    left join houses on repeats.house_key = houses.house_key
    left join areas as districts on repeats.district_code = districts.code
    left join areas as streets on repeats.street_code = streets.code
    left join areas as committees on repeats.committee_code = committees.code
)

select * from final
