{#- One row per resolved house (room; a rural door), keyed by house_key, with its place in the area hierarchy from
    the standard address register (building level: 街镇, 居委会, 小区, 地址编码) when the register knows the building. -#}

with records as (
    select house_key, count(*) as record_count, count(distinct system) as system_count
    from {{ ref('int_house_records_resolved') }}
    where house_key is not null
    group by house_key
),

resolved as (
    -- the houses some record names (an unplaced 小区 door whose records all found their house by ID drops out)
    select * from {{ ref('int_addresses_resolved') }}
    where house_key in (select house_key from records)
),

register as (
    select * from {{ ref('stg_public_security__standard_addresses') }}
),

district_aliases as (
    select alias as district_name, district_code from {{ ref('ref_district_aliases') }} where alias_kind = 'current'
),

houses as (
    select
        house_key,
        any_value(house_key_string) as house_key_string,
        any_value(house_kind) as house_kind,
        any_value(district_code) as district_code,
        any_value(road_or_place) as road_or_place,
        any_value(lane) as lane,
        any_value(sub_lane) as sub_lane,
        any_value(number) as number,
        any_value(building) as building,
        any_value(room) as room,
        any_value(village_group) as village_group,
        count(distinct address) as address_variants
    from resolved
    group by house_key
),

register_road_doors as (
    -- one register row per building door (the smallest 地址编码)
    select district_code, road, lane, sub_lane, number, building, address_code, street_code, committee_code,
        compound_name
    from register
    where road is not null
    qualify row_number() over (
        partition by district_code, road, lane, sub_lane, number, building order by address_code
    ) = 1
),

register_village_groups as (
    select district_code, compound_name, village_group, address_code, street_code, committee_code
    from register
    where village_group is not null
    qualify row_number() over (partition by district_code, compound_name, village_group order by address_code) = 1
),

placed as (
    -- two equi-joins, one per house kind with the kind in the join key (DuckDB joins "road door or village group",
    -- or a filter on the left side of a left join's condition, by comparing every pair of rows)
    select
        houses.*,
        coalesce(road_doors.address_code, village_groups.address_code) as building_address_code,
        coalesce(road_doors.street_code, village_groups.street_code) as street_code,
        coalesce(road_doors.committee_code, village_groups.committee_code) as committee_code,
        coalesce(road_doors.compound_name, village_groups.compound_name) as compound_name
    from houses
    left join register_road_doors as road_doors
        on case when houses.house_kind = 'road' then houses.district_code end = road_doors.district_code
        and houses.road_or_place = road_doors.road
        and houses.lane is not distinct from road_doors.lane
        and houses.sub_lane is not distinct from road_doors.sub_lane
        and houses.number is not distinct from road_doors.number
        and houses.building is not distinct from road_doors.building
    left join register_village_groups as village_groups
        on case when houses.house_kind = 'village' then houses.district_code end = village_groups.district_code
        and houses.road_or_place = village_groups.compound_name
        and houses.village_group = village_groups.village_group
),

final as (
    select
        placed.house_key,
        placed.house_kind,
        placed.district_code,
        district_aliases.district_name,
        placed.street_code,
        placed.committee_code,
        placed.compound_name,
        placed.building_address_code,
        case when placed.house_kind = 'road' then placed.road_or_place end as road,
        case when placed.house_kind = 'village' then placed.road_or_place end as village,
        case when placed.house_kind = 'compound' then placed.road_or_place end as unplaced_compound,
        placed.lane,
        placed.sub_lane,
        placed.number,
        placed.building,
        placed.room,
        placed.village_group,
        {{ house_address('district_aliases.district_name', 'placed.house_kind', 'placed.road_or_place', 'placed.lane',
                         'placed.sub_lane', 'placed.number', 'placed.building', 'placed.room', 'placed.village_group') }}
            as address,
        placed.house_key_string,
        placed.building_address_code is not null as in_register,
        placed.address_variants,
        coalesce(records.record_count, 0) as record_count,
        coalesce(records.system_count, 0) as system_count
    from placed
    left join district_aliases on placed.district_code = district_aliases.district_code
    left join records on placed.house_key = records.house_key
)

select * from final
