{#- 居住人数较多房屋台账: one row per house with at least var('crowded_house_min_residents') (default 6) living
    residents (实住人数 of rpt_ledger__house_basics), with the floor area per resident for the 群租 check. -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, house_type, floor_area, owner_person_key, owner_name, owner_phone, resident_count,
        resident_names, hukou_count, occupancy
    from {{ ref('rpt_ledger__house_basics') }}
    where resident_count >= {{ var('crowded_house_min_residents', 6) }}
),

final as (
    select
        cast(district_code as varchar) as district_code,
        cast(district_name as varchar) as district_name,
        cast(street_code as varchar) as street_code,
        cast(street_name as varchar) as street_name,
        cast(committee_code as varchar) as committee_code,
        cast(committee_name as varchar) as committee_name,
        cast(house_key as varchar) as house_key,
        cast(compound_name as varchar) as compound_name,
        cast(address as varchar) as address,
        cast(house_type as varchar) as house_type,
        cast(floor_area as decimal(10, 2)) as floor_area,
        cast(resident_count as bigint) as resident_count,
        cast(round(floor_area / resident_count, 2) as decimal(10, 2)) as floor_area_per_resident,
        cast(resident_names as varchar) as resident_names,
        cast(hukou_count as bigint) as hukou_count,
        cast(occupancy as varchar) as occupancy,
        cast(owner_person_key as varchar) as owner_person_key,
        cast(owner_name as varchar) as owner_name,
        cast(owner_phone as varchar) as owner_phone
    from houses
)

select * from final
