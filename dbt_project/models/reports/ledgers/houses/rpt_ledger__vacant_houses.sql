{#- 空置房屋台账: one row per house nobody lives in (出租情况 = 空置 in rpt_ledger__house_basics), with its 权利人,
    where the 权利人 lives now, the persons still registered (户籍) there and when the last resident left. -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, house_type, certificate_no, floor_area, owner_person_key, owner_name,
        owner_id_number, owner_phone, hukou_count, last_resident_left_on
    from {{ ref('rpt_ledger__house_basics') }}
    where occupancy = '空置'
),

owners as (
    select person_key, residence_address
    from {{ ref('dim_person') }}
    where status = 'living'
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
        cast(houses.certificate_no as varchar) as certificate_no,
        cast(houses.floor_area as decimal(10, 2)) as floor_area,
        cast(houses.owner_person_key as varchar) as owner_person_key,
        cast(houses.owner_name as varchar) as owner_name,
        cast(houses.owner_id_number as varchar) as owner_id_number,
        cast(houses.owner_phone as varchar) as owner_phone,
        cast(owners.residence_address as varchar) as owner_residence_address,
        cast(houses.hukou_count as bigint) as hukou_count,
        cast(houses.last_resident_left_on as date) as last_resident_left_on
    from houses
    left join owners on houses.owner_person_key = owners.person_key
)

select * from final
