{#- Each distinct (address, committee) resolved to a house: district inferred when missing, a 小区-name address
    (居委 visits: 长桥新村10号301室, also a 小区 named like a road and 弄: 临汾路八九四弄7号302室) placed on its road
    and lane through the standard address register, and the normalised house key. -#}

-- the plain table reads are `not materialized`: each is read several times below, and DuckDB would otherwise copy
-- the whole table (every column) once per query before reading it (at 5M persons that copy ran out of memory)
with pairs as (
    select distinct address, committee_code from {{ ref('int_addresses_collected') }}
),

parsed as not materialized (
    select * from {{ ref('int_addresses_parsed') }}
),

register as not materialized (
    select * from {{ ref('stg_public_security__standard_addresses') }}
),

divisions as not materialized (
    select * from {{ ref('stg_civil_affairs__divisions') }}
),

register_road_districts as (
    -- a road named in one district only (标准地址库)
    select road, min(district_code) as district_code
    from register
    where road is not null
    group by road
    having count(distinct district_code) = 1
),

register_door_districts as (
    -- a road in several districts (中山北路): the district of the register door with that 弄 and 号
    select road, lane, number, min(district_code) as district_code
    from register
    where road is not null
    group by road, lane, number
    having count(distinct district_code) = 1
),

observed_road_districts as (
    -- a road that the addresses themselves place in one district only
    select place as road, min(district_code) as district_code
    from parsed
    where place_kind = 'road' and district_code is not null
    group by place
    having count(distinct district_code) = 1
),

street_districts as (
    select division_name as street_name, min(parent_code) as district_code
    from divisions
    where division_level = 'street'
    group by division_name
    having count(*) = 1
),

compound_districts as (
    select compound_name, min(district_code) as district_code
    from register
    group by compound_name
    having count(distinct district_code) = 1
),

committee_compounds as (
    select distinct committee_code, compound_name, district_code from register
),

register_roads as (
    select distinct district_code, road from register where road is not null
),

register_compounds as (
    select distinct compound_name from register
),

register_doors as (
    select distinct road, lane from register where road is not null and lane is not null
),

street_door_texts as (
    -- the address after 上海市 and 区
    select
        pairs.address,
        pairs.committee_code,
        parsed.place,
        register_doors.road is not null as door_in_register,
        parsed.place_kind = 'road' and parsed.lane is not null as has_lane,
        regexp_replace({{ address_compact('pairs.address') }}, '^(?:上海市?)?(?:{{ district_alias_pattern() }})?', '')
            as street_door_text,
        parsed.street_name
    from pairs
    inner join parsed on pairs.address = parsed.address
    left join register_doors on parsed.place = register_doors.road and parsed.lane = register_doors.lane
),

door_texts as (
    -- the address after 上海市, 区 and 街镇: where a 小区 name would start (a 小区 named like a 镇, 龚路镇18号102室, starts
    -- before the 街镇 name the parser took: street_door_text keeps it)
    select
        * exclude (street_door_text, street_name),
        street_door_text,
        regexp_replace(street_door_text, '^' || coalesce(street_name, ''), '') as door_text,
        street_name is not null as has_street
    from street_door_texts
),

compound_name_candidates as (
    -- a 小区 of the writing committee (an equi-join), or - for the few addresses whose road and 弄 the register does
    -- not know - any 小区 of the register
    select door_texts.*, committee_compounds.compound_name, 1 as candidate_rank
    from door_texts
    inner join committee_compounds on door_texts.committee_code = committee_compounds.committee_code
    union all
    select door_texts.*, register_compounds.compound_name, 2 as candidate_rank
    from (select * from door_texts where has_lane and not door_in_register) as door_texts
    cross join register_compounds
),

compound_named as (
    -- a 小区 name that itself reads as road + 弄 (临汾路八九四弄7号302室): the longest such name the address
    -- starts with, followed by a number
    select
        address, committee_code, compound_name, substr(matched_text, length(compound_name) + 1) as rest,
        compound_takes_street
    from (
        select *, door_text as matched_text, false as compound_takes_street from compound_name_candidates
        union all
        -- the 街镇 name the parser took is (the start of) the 小区 name
        select *, street_door_text, true from compound_name_candidates where has_street
    )
    where starts_with(matched_text, compound_name)
        and length(compound_name) > length(coalesce(place, ''))
        and regexp_matches(substr(matched_text, length(compound_name) + 1), '^{{ address_number_token() }}')
    qualify row_number() over (
        partition by address, committee_code
        order by candidate_rank, length(compound_name) desc, compound_name, compound_takes_street
    ) = 1
),

compound_reparsed as (
    select address, committee_code, compound_name, compound_takes_street, {{ parse_address('rest') }} as parts
    from compound_named
),

pairs_parsed as (
    select
        pairs.address,
        pairs.committee_code,
        parsed.has_city,
        parsed.district_alias,
        parsed.district_code,
        parsed.district_alias_kind,
        case when compound_reparsed.compound_takes_street then null else parsed.street_name end as street_name,
        coalesce(compound_reparsed.compound_name, parsed.place) as place,
        case when compound_reparsed.address is not null then 'compound' else parsed.place_kind end as place_kind,
        case when compound_reparsed.address is null then parsed.lane end as lane,
        case when compound_reparsed.address is null then parsed.sub_lane end as sub_lane,
        case when compound_reparsed.address is not null then compound_reparsed.parts.number else parsed.number end
            as number,
        case when compound_reparsed.address is not null then compound_reparsed.parts.building else parsed.building end
            as building,
        case when compound_reparsed.address is not null then compound_reparsed.parts.building_unit
            else parsed.building_unit end as building_unit,
        case when compound_reparsed.address is not null then compound_reparsed.parts.floor else parsed.floor end
            as floor,
        case when compound_reparsed.address is not null then compound_reparsed.parts.room else parsed.room end as room,
        case when compound_reparsed.address is not null then compound_reparsed.parts.village_group
            else parsed.village_group end as village_group
    from pairs
    inner join parsed on pairs.address = parsed.address
    left join compound_reparsed
        on pairs.address = compound_reparsed.address
        and pairs.committee_code is not distinct from compound_reparsed.committee_code
),

located as (
    -- (the place is a join key only for road places: a filter on the left side of a left join's condition would
    -- make DuckDB compare every pair of rows)
    select
        pp.* exclude (district_code),
        coalesce(pp.district_code, register_road_districts.district_code, register_door_districts.district_code,
                 observed_road_districts.district_code,
                 street_districts.district_code, committee_compounds.district_code, compound_districts.district_code,
                 left(pp.committee_code, 6))
            as district_code,
        case
            when pp.district_code is not null then 'written'
            when register_road_districts.district_code is not null then 'register_road'
            when register_door_districts.district_code is not null then 'register_door'
            when observed_road_districts.district_code is not null then 'observed_road'
            when street_districts.district_code is not null then 'street'
            when committee_compounds.district_code is not null then 'committee_compound'
            when compound_districts.district_code is not null then 'register_compound'
            when pp.committee_code is not null then 'committee'
        end as district_source
    from pairs_parsed as pp
    left join register_road_districts
        on case when pp.place_kind = 'road' then pp.place end = register_road_districts.road
    left join register_door_districts
        on case when pp.place_kind = 'road' then pp.place end = register_door_districts.road
        and pp.lane is not distinct from register_door_districts.lane and pp.number = register_door_districts.number
    left join observed_road_districts
        on case when pp.place_kind = 'road' then pp.place end = observed_road_districts.road
    left join street_districts on pp.street_name = street_districts.street_name
    left join committee_compounds
        on pp.committee_code = committee_compounds.committee_code and pp.place = committee_compounds.compound_name
    left join compound_districts
        on pp.place = compound_districts.compound_name
),

classified as (
    -- a 'road' that the register does not know as a road but as a 小区 (南大街) is a 小区 name
    select
        located.*,
        case
            when located.place_kind = 'road' and register_roads.road is null and register_compounds.compound_name is not null
                then 'compound'
            else located.place_kind
        end as door_kind
    from located
    left join register_roads
        on located.place = register_roads.road
        and (located.district_code is null or located.district_code = register_roads.district_code)
    left join register_compounds on located.place = register_compounds.compound_name
),

compound_candidates as (
    -- register buildings of the named 小区 with the same 号 (and 号楼/幢): same committee first, then same district,
    -- then anywhere
    select
        classified.address,
        classified.committee_code,
        register.district_code,
        register.road,
        register.lane,
        register.sub_lane,
        register.number,
        register.building,
        case
            when register.committee_code = classified.committee_code then 1
            when register.district_code = classified.district_code then 2
            else 3
        end as candidate_rank
    from classified
    inner join register
        on classified.place = register.compound_name
        and classified.number = register.number
        and classified.building is not distinct from register.building
    where classified.door_kind = 'compound'
),

best_candidates as (
    select *
    from compound_candidates
    qualify candidate_rank = min(candidate_rank) over (partition by address, committee_code)
),

compound_placed as (
    -- only an unambiguous best candidate places the address (a 里弄 with 支弄 repeats its 号 numbers: left unplaced)
    select
        address, committee_code,
        any_value(district_code) as district_code, any_value(road) as road, any_value(lane) as lane,
        any_value(sub_lane) as sub_lane, any_value(number) as number, any_value(building) as building
    from best_candidates
    group by address, committee_code
    having count(*) = 1
),

resolved as (
    select
        classified.address,
        classified.committee_code,
        classified.has_city,
        classified.district_alias,
        classified.district_alias_kind,
        classified.street_name,
        classified.place,
        classified.place_kind,
        case
            when compound_placed.address is not null then 'road'
            else classified.door_kind
        end as house_kind,
        case
            when compound_placed.address is not null then 'register_compound'
            when classified.door_kind = 'compound' then 'unplaced_compound'
            else 'parsed'
        end as resolution,
        coalesce(compound_placed.district_code, classified.district_code) as district_code,
        case when compound_placed.district_code is not null then 'register_compound' else classified.district_source end
            as district_source,
        coalesce(compound_placed.road, classified.place) as road_or_place,
        case when compound_placed.address is not null then compound_placed.lane else classified.lane end as lane,
        case when compound_placed.address is not null then compound_placed.sub_lane else classified.sub_lane end
            as sub_lane,
        classified.number,
        classified.building,
        classified.floor,
        classified.room,
        classified.village_group
    from classified
    left join compound_placed
        on classified.address = compound_placed.address
        and classified.committee_code is not distinct from compound_placed.committee_code
),

keyed as (
    select
        *,
        case
            when number is not null or room is not null then
                {{ house_key_string('house_kind', 'district_code', 'road_or_place', 'lane', 'sub_lane', 'number',
                                    'building', 'room', 'village_group') }}
        end as house_key_string
    from resolved
),

with_key as (
    select
        *,
        case when house_key_string is not null then {{ house_key('house_key_string') }} end as house_key
    from keyed
),

register_road_doors as (
    -- one register row per building door (the smallest 地址编码): the door's 小区
    select district_code, road, lane, sub_lane, number, building, compound_name, address_code
    from register
    where road is not null
    qualify row_number() over (
        partition by district_code, road, lane, sub_lane, number, building order by address_code
    ) = 1
),

register_village_groups as (
    select district_code, compound_name, village_group, address_code
    from register
    where village_group is not null
    qualify row_number() over (partition by district_code, compound_name, village_group order by address_code) = 1
),

final as (
    -- the 小区 of the house's building in the register (the written 小区 name of an unplaced one); two equi-joins,
    -- one per house kind (DuckDB joins "road door or village group", or a filter on the left side of a left join's
    -- condition, by comparing every pair of rows: the house kind goes into the join key instead)
    select
        with_key.*,
        case when with_key.house_kind = 'compound' then with_key.road_or_place
            else coalesce(road_doors.compound_name, village_groups.compound_name) end
            as compound_name
    from with_key
    left join register_road_doors as road_doors
        on case when with_key.house_kind = 'road' then with_key.district_code end = road_doors.district_code
        and with_key.road_or_place = road_doors.road
        and with_key.lane is not distinct from road_doors.lane
        and with_key.sub_lane is not distinct from road_doors.sub_lane
        and with_key.number is not distinct from road_doors.number
        and with_key.building is not distinct from road_doors.building
    left join register_village_groups as village_groups
        on case when with_key.house_kind = 'village' then with_key.district_code end = village_groups.district_code
        and with_key.road_or_place = village_groups.compound_name
        and with_key.village_group = village_groups.village_group
    qualify row_number() over (
        partition by with_key.address, with_key.committee_code
        order by coalesce(road_doors.address_code, village_groups.address_code)
    ) = 1
)

select * from final
