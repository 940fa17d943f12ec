{#- 独居老人台账: living residents tagged 独居老人 (aged 60+, the only living resident of their house), with the
    高龄老人名册 columns, 老年综合津贴, and their visits (最近探访日期, 探访频次) - macro ledger_care_roster. -#}

with roster as (
    {{ ledger_care_roster('elderly_living_alone') }}
),

final as (
    select
        cast(district_code as varchar) as district_code,
        cast(district_name as varchar) as district_name,
        cast(street_code as varchar) as street_code,
        cast(street_name as varchar) as street_name,
        cast(committee_code as varchar) as committee_code,
        cast(committee_name as varchar) as committee_name,
        cast(person_key as varchar) as person_key,
        cast(name as varchar) as name,
        cast(sex as varchar) as sex,
        cast(birth_date as date) as birth_date,
        cast(age as integer) as age,
        cast(id_number as varchar) as id_number,
        cast(phone as varchar) as phone,
        cast(residence_address as varchar) as residence_address,
        cast(population_type as varchar) as population_type,
        cast(disability as varchar) as disability,
        cast(family_doctor_signed as boolean) as family_doctor_signed,
        cast(allowance_tier as varchar) as allowance_tier,
        cast(allowance_amount as decimal(10, 2)) as allowance_amount,
        cast(tag_names as varchar) as tag_names,
        cast(last_visited_on as date) as last_visited_on,
        cast(last_visit_department as varchar) as last_visit_department,
        cast(last_visit_method as varchar) as last_visit_method,
        cast(visits_last_30_days as integer) as visits_last_30_days,
        cast(visits_last_90_days as integer) as visits_last_90_days,
        cast(visit_count as integer) as visit_count,
        cast(visit_rule as varchar) as visit_rule,
        cast(visit_max_days as integer) as visit_max_days,
        cast(visit_due_on as date) as visit_due_on,
        cast(visit_overdue as boolean) as visit_overdue
    from roster
)

select * from final
