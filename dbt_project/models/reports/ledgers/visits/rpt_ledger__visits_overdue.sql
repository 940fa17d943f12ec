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
),

areas as (
    select code, name from {{ ref('dim_area') }}
),

final as (
    select
        cast(overdue.district_code as varchar) as district_code,
        cast(districts.name as varchar) as district_name,
        cast(overdue.street_code as varchar) as street_code,
        cast(streets.name as varchar) as street_name,
        cast(overdue.committee_code as varchar) as committee_code,
        cast(committees.name as varchar) as committee_name,
        cast(overdue.person_key as varchar) as person_key,
        cast(persons.name as varchar) as name,
        cast(profiles.sex as varchar) as sex,
        cast(profiles.age as integer) as age,
        cast(persons.id_number as varchar) as id_number,
        cast(persons.phone as varchar) as phone,
        cast(overdue.house_key as varchar) as house_key,
        cast(persons.residence_address as varchar) as residence_address,
        cast(array_to_string(overdue.tag_names, '、') as varchar) as tag_names,
        cast(overdue.rule_label as varchar) as visit_rule,
        cast(overdue.max_days as integer) as visit_max_days,
        cast(overdue.last_visited_on as date) as last_visited_on,
        cast(overdue.last_visit_department as varchar) as last_visit_department,
        cast(overdue.last_visit_method as varchar) as last_visit_method,
        cast(overdue.days_since_last_visit as integer) as days_since_last_visit,
        cast(overdue.due_on as date) as visit_due_on,
        cast(overdue.never_visited as boolean) as never_visited,
        cast(overdue.days_overdue as integer) as days_overdue
    from overdue
    left join persons on overdue.person_key = persons.person_key
    left join profiles on overdue.person_key = profiles.person_key
    left join areas as districts on overdue.district_code = districts.code
    left join areas as streets on overdue.street_code = streets.code
    left join areas as committees on overdue.committee_code = committees.code
)

select * from final
