{#- Each distinct (address, committee) resolved to a house: district inferred when missing, a 小区-name address
    (居委 visits: 长桥新村10号301室) placed on its road and lane through the standard address register, and the
    normalised house key. -#}

with pairs as (
    select distinct address, committee_code from {{ ref('int_addresses_collected') }}
),

parsed as (
    select * from {{ ref('int_addresses_parsed') }}
),

register as (
    select * from {{ ref('stg_public_security__standard_addresses') }}
),

divisions as (
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

located as (
    select
        pairs.address,
        pairs.committee_code,
        parsed.* exclude (address, district_code),
        coalesce(parsed.district_code, register_road_districts.district_code, observed_road_districts.district_code,
                 street_districts.district_code, committee_compounds.district_code, compound_districts.district_code,
                 left(pairs.committee_code, 6))
            as district_code,
        case
            when parsed.district_code is not null then 'written'
            when register_road_districts.district_code is not null then 'register_road'
            when observed_road_districts.district_code is not null then 'observed_road'
            when street_districts.district_code is not null then 'street'
            when committee_compounds.district_code is not null then 'committee_compound'
            when compound_districts.district_code is not null then 'register_compound'
            when pairs.committee_code is not null then 'committee'
        end as district_source
    from pairs
    inner join parsed on pairs.address = parsed.address
    left join register_road_districts
        on parsed.place_kind = 'road' and parsed.place = register_road_districts.road
    left join observed_road_districts
        on parsed.place_kind = 'road' and parsed.place = observed_road_districts.road
    left join street_districts on parsed.street_name = street_districts.street_name
    left join committee_compounds
        on pairs.committee_code = committee_compounds.committee_code and parsed.place = committee_compounds.compound_name
    left join compound_districts
        on parsed.place = compound_districts.compound_name
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

final as (
    -- the 小区 of the house's building in the register (the written 小区 name of an unplaced one)
    select
        with_key.*,
        case when with_key.house_kind = 'compound' then with_key.road_or_place else register.compound_name end
            as compound_name
    from with_key
    left join register
        on with_key.district_code = register.district_code
        and (
            (with_key.house_kind = 'road'
                and with_key.road_or_place = register.road
                and with_key.lane is not distinct from register.lane
                and with_key.sub_lane is not distinct from register.sub_lane
                and with_key.number is not distinct from register.number
                and with_key.building is not distinct from register.building)
            or (with_key.house_kind = 'village'
                and with_key.road_or_place = register.compound_name
                and with_key.village_group = register.village_group)
        )
    qualify row_number() over (
        partition by with_key.address, with_key.committee_code order by register.address_code
    ) = 1
)

select * from final
