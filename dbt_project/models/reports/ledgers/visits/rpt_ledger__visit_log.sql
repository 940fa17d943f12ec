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
),

final as (
    select
        cast(visits.district_code as varchar) as district_code,
        cast(districts.name as varchar) as district_name,
        cast(visits.street_code as varchar) as street_code,
        cast(streets.name as varchar) as street_name,
        cast(visits.committee_code as varchar) as committee_code,
        cast(committees.name as varchar) as committee_name,
        cast(visits.visit_key as varchar) as visit_key,
        cast(visits.visit_id as varchar) as visit_id,
        cast(visits.visit_week as date) as visit_week,
        cast(visits.visited_on as date) as visited_on,
        cast(visits.visitor_department as varchar) as visitor_department,
        cast(visits.visitor_name as varchar) as visitor_name,
        cast(visits.method as varchar) as method,
        cast(visits.person_key as varchar) as person_key,
        cast(coalesce(persons.name, visits.person_name) as varchar) as person_name,
        cast(coalesce(persons.id_number, visits.id_number) as varchar) as id_number,
        cast(persons.phone as varchar) as phone,
        cast(visits.house_key as varchar) as house_key,
        cast(coalesce(houses.address, visits.address) as varchar) as address,
        cast(visits.situation as varchar) as situation,
        cast(visits.appeal as varchar) as appeal,
        cast(visits.follow_up as boolean) as follow_up,
        cast(repeats.visit_key is not null as boolean) as is_repeated,
        cast(repeats.prior_visitor_department as varchar) as prior_visitor_department,
        cast(repeats.prior_visited_on as date) as prior_visited_on
    from visits
    left join persons on visits.person_key = persons.person_key
    left join houses on visits.house_key = houses.house_key
    left join repeats on visits.visit_key = repeats.visit_key
    left join areas as districts on visits.district_code = districts.code
    left join areas as streets on visits.street_code = streets.code
    left join areas as committees on visits.committee_code = committees.code
)

select * from final
