{#- 出租房屋台账: one row per (出租 house, resident). Every resident of a house let out (出租情况 = 出租 in
    rpt_ledger__house_basics) is a 承租人 (the 权利人 does not live there), listed with the landlord. -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, house_type, floor_area, owner_person_key, owner_name, owner_phone, resident_count
    from {{ ref('rpt_ledger__house_basics') }}
    where occupancy = '出租'
),

persons as (
    select person_key, name, sex, birth_date, id_number, phone, population_type, hukou_address, residence_house_key
    from {{ ref('dim_person') }}
    where status = 'living'
),

profiles as (
    select person_key, residence_since
    from {{ ref('dim_person_profile') }}
),

final as (
    select
        cast(houses.district_code as varchar) as district_code,
        cast(houses.district_name as varchar) as district_name,
        cast(houses.street_code as varchar) as street_code,
        cast(houses.street_name as varchar) as street_name,
        cast(houses.committee_code as varchar) as committee_code,
        cast(houses.committee_name as varchar) as committee_name,
        cast(houses.house_key as varchar) as house_key,
        cast(houses.compound_name as varchar) as compound_name,
        cast(houses.address as varchar) as address,
        cast(houses.house_type as varchar) as house_type,
        cast(houses.floor_area as decimal(10, 2)) as floor_area,
        cast(houses.owner_person_key as varchar) as owner_person_key,
        cast(houses.owner_name as varchar) as owner_name,
        cast(houses.owner_phone as varchar) as owner_phone,
        cast(houses.resident_count as bigint) as resident_count,
        cast(persons.person_key as varchar) as person_key,
        cast(persons.name as varchar) as tenant_name,
        cast(persons.sex as varchar) as tenant_sex,
        cast(persons.birth_date as date) as tenant_birth_date,
        cast(persons.id_number as varchar) as tenant_id_number,
        cast(persons.phone as varchar) as tenant_phone,
        cast(persons.population_type as varchar) as tenant_population_type,
        cast(persons.hukou_address as varchar) as tenant_hukou_address,
        cast(profiles.residence_since as date) as residence_since
    from houses
    inner join persons on houses.house_key = persons.residence_house_key
    left join profiles on persons.person_key = profiles.person_key
)

select * from final
