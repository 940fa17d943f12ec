{#- 重点关爱对象台账: living residents tagged 重点关爱, with why (关爱类别: the parts of the tag's rule that hold,
    tags/city/welfare.yaml), who they are and their visits - macro ledger_care_roster. -#}

with roster as (
    {{ ledger_care_roster('key_care', extra_columns=[
        "nullif(concat_ws('、',
            case when coalesce(p.tekun, false) then '特困供养' end,
            case when p.disability_category_code = 6 and p.disability_grade <= 2 then '严重精神障碍' end,
            case when p.age < 18 and coalesce(p.dibao, false) then '困境儿童' end,
            case when p.age >= 60 and coalesce(p.lives_alone, false)
                and (p.age >= 80 or coalesce(p.disabled, false) or coalesce(p.tekun, false)) then '独居老人(高龄/残疾/特困)' end
        ), '') as care_categories"
    ]) }}
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
        cast(care_categories as varchar) as care_categories,
        cast(household_living_count as bigint) as household_living_count,
        cast(disability as varchar) as disability,
        cast(family_doctor_signed as boolean) as family_doctor_signed,
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
