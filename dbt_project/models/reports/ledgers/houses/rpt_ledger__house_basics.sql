{#- 房屋基本情况表: one row per house placed in a committee, with its address parts, 房屋类型 and title, who lives
    there (实住人数), who is registered there (户籍人数) and the 出租情况 derived from both. The other house ledgers
    select from this one, so the occupancy rule is written once. -#}

with houses as (
    select
        house_key, house_kind, address, district_code, district_name, street_code, street_name, committee_code,
        committee_name, compound_code, compound_name, building_code, road, village, lane, sub_lane, number, building,
        room, village_group, certificate_no, house_type, floor_area, usage, co_ownership, owner_person_key,
        title_registered_on
    from {{ ref('dim_house') }}
    -- a house the address register could not place in a committee belongs to no committee's ledger
    -- (tests/ledgers/assert_houses_placed_in_committee.sql warns about them)
    where committee_code is not null
),

persons as (
    select person_key, name, id_number, phone, population_type, status, residence_house_key, hukou_house_key
    from {{ ref('dim_person') }}
),

-- 实住: living persons whose golden residence house is the house
residents as (
    select
        residence_house_key as house_key,
        count(*) as resident_count,
        count(*) filter (where population_type = '户籍') as resident_hukou_type_count,
        list(person_key) as resident_person_keys,
        string_agg(name, '、' order by name, person_key) as resident_names
    from persons
    where status = 'living' and residence_house_key is not null
    group by residence_house_key
),

-- 户籍: living persons whose 户籍 is registered at the house (wherever they live)
registered as (
    select hukou_house_key as house_key, count(*) as hukou_count
    from persons
    where status = 'living' and hukou_house_key is not null
    group by hukou_house_key
),

-- the last day a former resident's 实住 relation ended (bridge_person_house), for houses nobody lives in now
last_residence as (
    select house_key, max(valid_to) as last_resident_left_on
    from {{ ref('bridge_person_house') }}
    where relation = '实住' and not is_current
    group by house_key
),

occupancy as (
    select
        houses.*,
        coalesce(residents.resident_count, 0) as resident_count,
        coalesce(registered.hukou_count, 0) as hukou_count,
        residents.resident_names,
        coalesce(list_contains(residents.resident_person_keys, houses.owner_person_key), false) as owner_lives_here,
        case
            when coalesce(residents.resident_count, 0) = 0 then '空置'
            -- titled house: 自住 when the 权利人 is one of the residents
            when houses.certificate_no is not null
                then case when list_contains(residents.resident_person_keys, houses.owner_person_key) then '自住' else '出租' end
            -- no title (公房租赁: the 承租人 household lives in it): 自住 when a 户籍 resident lives there
            when residents.resident_hukou_type_count > 0 then '自住'
            else '出租'
        end as occupancy,
        last_residence.last_resident_left_on
    from houses
    left join residents on houses.house_key = residents.house_key
    left join registered on houses.house_key = registered.house_key
    left join last_residence on houses.house_key = last_residence.house_key
),

final as (
    select
        cast(occupancy.district_code as varchar) as district_code,
        cast(occupancy.district_name as varchar) as district_name,
        cast(occupancy.street_code as varchar) as street_code,
        cast(occupancy.street_name as varchar) as street_name,
        cast(occupancy.committee_code as varchar) as committee_code,
        cast(occupancy.committee_name as varchar) as committee_name,
        cast(occupancy.house_key as varchar) as house_key,
        cast(occupancy.compound_code as varchar) as compound_code,
        cast(occupancy.compound_name as varchar) as compound_name,
        cast(occupancy.building_code as varchar) as building_code,
        cast(occupancy.address as varchar) as address,
        cast(occupancy.road as varchar) as road,
        cast(occupancy.lane as integer) as lane,
        cast(occupancy.sub_lane as integer) as sub_lane,
        cast(occupancy.number as integer) as number,
        cast(occupancy.building as integer) as building,
        cast(occupancy.room as integer) as room,
        cast(occupancy.village as varchar) as village,
        cast(occupancy.village_group as integer) as village_group,
        cast(coalesce(occupancy.house_type, '无产权登记') as varchar) as house_type,
        cast(occupancy.certificate_no as varchar) as certificate_no,
        cast(occupancy.title_registered_on as date) as title_registered_on,
        cast(occupancy.floor_area as decimal(10, 2)) as floor_area,
        cast(occupancy.usage as varchar) as usage,
        cast(occupancy.co_ownership as varchar) as co_ownership,
        cast(occupancy.owner_person_key as varchar) as owner_person_key,
        cast(owners.name as varchar) as owner_name,
        cast(owners.id_number as varchar) as owner_id_number,
        cast(owners.phone as varchar) as owner_phone,
        cast(occupancy.owner_lives_here as boolean) as owner_lives_here,
        cast(occupancy.resident_count as bigint) as resident_count,
        cast(occupancy.resident_names as varchar) as resident_names,
        cast(occupancy.hukou_count as bigint) as hukou_count,
        cast(occupancy.occupancy as varchar) as occupancy,
        cast(occupancy.last_resident_left_on as date) as last_resident_left_on
    from occupancy
    left join persons as owners on occupancy.owner_person_key = owners.person_key
)

select * from final
