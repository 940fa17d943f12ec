{#- The person columns every people ledger (rpt_ledger__*, this folder) shares, joined once: the golden record
    (dim_person), its profile (age, areas, 人户分离, household at the residence house), the area names of both houses
    (dim_house), the 户 facts of the person's 户籍 record (户号, 与户主关系, 户口登记日期, 文化程度), the 实有人口 facts
    (来沪日期, 居住证编号, 户籍地), the 老年综合津贴 record, the 权利人 of the residence house and the employer of an open
    就业登记. -#}

with persons as (
    select
        person_key, name, id_number, phone, hukou_address, residence_address
    from {{ ref('dim_person') }}
),

profiles as (
    select
        person_key, sex, birth_date, age, ethnicity, population_type, status, status_date,
        hukou_house_key, hukou_district_code, hukou_street_code, hukou_committee_code,
        residence_house_key, district_code, street_code, committee_code, residence_since, is_separated,
        on_population_register, household_living_count, household_min_age, lives_alone
    from {{ ref('dim_person_profile') }}
),

houses as (
    select house_key, district_name, street_name, committee_name
    from {{ ref('dim_house') }}
),

-- the person's 户籍 record (a register that gives households, resolution.register.household); a person with several:
-- the one in force (户口状态 正常) first, then the latest registered
hukou_record as (
    {{ ledger_register_record(households=true, columns=[
        ['household_no', 'varchar', 'household'], ['relation_to_head', 'varchar', none],
        ['registered_on', 'date', 'period_start'], ['education', 'varchar', none]]) }}
),

-- the person's 实有人口 record (a register without households): the one in force (注销标识 正常) first, then the latest
-- updated
population_records as (
    {{ ledger_register_record(households=false, columns=[
        ['arrived_on', 'date', 'period_start'], ['residence_permit_no', 'varchar', none],
        ['hukou_region_code', 'varchar', none]]) }}
),

-- 户籍地 in words: 省 + 地级市 (unless 市辖区 or the same) + 县/区, from the historical region table
regions as (
    select
        county.region_code,
        concat_ws('',
            county.province,
            case when prefecture.county not in ('市辖区', '县', county.province) then prefecture.county end,
            case when county.county not in (county.province, coalesce(prefecture.county, '')) then county.county end
        ) as region_name
    from {{ ref('ref_region_codes') }} as county
    left join {{ ref('ref_region_codes') }} as prefecture
        on prefecture.region_code = left(county.region_code, 4) || '00'
        and prefecture.region_code <> county.region_code
),

population_record as (
    select
        population_records.person_key,
        population_records.arrived_on,
        population_records.residence_permit_no,
        population_records.hukou_region_code,
        regions.region_name as hukou_region_name
    from population_records
    left join regions on population_records.hukou_region_code = regions.region_code
),

-- 就业单位: the employer of the latest open 就业登记 registered on or before as_of (the 人社 就业登记 staging model; none
-- when no configured system stages it)
employers as (
    {%- if model_configured('stg_human_resources__employment_registrations') %}
    select
        records.person_key,
        arg_max(employment.employer, coalesce(employment.registered_on, {{ earliest_date() }})) as employer
    from {{ ref('fct_person_source_records') }} as records
    inner join {{ ref('stg_human_resources__employment_registrations') }} as employment
        on records.record_key = employment.record_key
    where records.role = 'subject'
      and employment.registration_type = '就业登记'
      and employment.ended_on is null
      and (employment.registered_on is null or employment.registered_on <= {{ as_of() }})
      and employment.employer is not null
    group by records.person_key
    {%- else %}
    {{ empty_relation([['person_key', 'varchar'], ['employer', 'varchar']]) }}
    {%- endif %}
),

-- 老年综合津贴 (the 民政 老年综合津贴 staging model; none when no configured system stages it): the record being paid
-- (发放中) first, then the latest updated
allowance_records as (
    {%- if model_configured('stg_civil_affairs__elderly_allowances') %}
    {{ ledger_department_record(
        'stg_civil_affairs__elderly_allowances',
        "(department.status = '发放中') desc nulls last, department.updated_at desc nulls last, department.loaded_at desc") }}
    {%- else %}
    {{ empty_relation([['person_key', 'varchar'], ['allowance_tier', 'varchar'], ['monthly_amount', 'decimal(12, 2)'],
                       ['start_date', 'date'], ['status', 'varchar']]) }}
    {%- endif %}
),

allowance as (
    select person_key, allowance_tier, monthly_amount, start_date, status
    from allowance_records
),

-- 权利人 of the residence house (dim_house, from the property title)
owners as (
    select house.house_key, house.owner_person_key, owner.name as owner_name
    from {{ ref('dim_house') }} as house
    inner join {{ ref('dim_person') }} as owner on house.owner_person_key = owner.person_key
),

final as (
    select
        persons.person_key,
        persons.name,
        profiles.sex,
        profiles.birth_date,
        profiles.age,
        profiles.ethnicity,
        persons.id_number,
        persons.phone,
        profiles.population_type,
        profiles.status,
        case profiles.status
            when 'living' then '在册' when 'deceased' then '死亡注销' when 'moved_away' then '迁出注销'
        end as status_label,
        profiles.status_date,
        persons.residence_address,
        profiles.residence_house_key,
        profiles.residence_since,
        profiles.district_code,
        residence_house.district_name,
        profiles.street_code,
        residence_house.street_name,
        profiles.committee_code,
        residence_house.committee_name,
        persons.hukou_address,
        profiles.hukou_house_key,
        profiles.hukou_district_code,
        hukou_house.district_name as hukou_district_name,
        profiles.hukou_street_code,
        hukou_house.street_name as hukou_street_name,
        profiles.hukou_committee_code,
        hukou_house.committee_name as hukou_committee_name,
        hukou_record.household_no,
        hukou_record.relation_to_head,
        hukou_record.registered_on as hukou_registered_on,
        hukou_record.education,
        population_record.arrived_on,
        population_record.residence_permit_no,
        population_record.hukou_region_code,
        population_record.hukou_region_name,
        employers.employer,
        allowance.allowance_tier,
        allowance.monthly_amount as allowance_monthly_amount,
        allowance.start_date as allowance_start_date,
        allowance.status as allowance_status,
        owners.owner_person_key as residence_owner_person_key,
        owners.owner_name as residence_owner_name,
        profiles.is_separated,
        profiles.on_population_register,
        profiles.household_living_count,
        profiles.household_min_age,
        profiles.lives_alone
    from persons
    inner join profiles on persons.person_key = profiles.person_key
    left join houses as residence_house on profiles.residence_house_key = residence_house.house_key
    left join houses as hukou_house on profiles.hukou_house_key = hukou_house.house_key
    left join hukou_record on persons.person_key = hukou_record.person_key
    left join population_record on persons.person_key = population_record.person_key
    left join employers on persons.person_key = employers.person_key
    left join allowance on persons.person_key = allowance.person_key
    left join owners on profiles.residence_house_key = owners.house_key
)

select * from final
