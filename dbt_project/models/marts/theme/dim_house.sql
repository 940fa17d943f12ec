{#- 房屋主数据: one row per resolved house (a room, or a rural door), placed in the area hierarchy, with the
    房屋类型 / 建筑面积 / 权利人 of the property title that names it (a record of a system whose connector YAML gives an
    address the role property; none when no configured system records titles). -#}

with houses as (
    select * from {{ ref('int_houses_resolved') }}
),

divisions as (
    select division_code, division_name
    from {{ ref('stg_civil_affairs__divisions') }}
),

-- the latest title naming the house (one per house in practice)
titles as (
    select
        house_records.house_key,
        titles.record_key,
        titles.certificate_no,
        titles.house_type,
        titles.floor_area,
        titles.usage,
        titles.co_ownership,
        titles.registered_on
    from {{ ref('int_house_records_resolved') }} as house_records
    inner join (
        {{ property_title_records() }}
    ) as titles
        on house_records.record_key = titles.record_key
    where house_records.address_role = 'property'
    qualify row_number() over (
        partition by house_records.house_key order by titles.registered_on desc nulls last, titles.record_key desc
    ) = 1
),

owners as (
    select record_key, person_key
    from {{ ref('fct_person_source_records') }}
    where role = 'owner'
),

final as (
    select
        cast(houses.house_key as varchar) as house_key,
        cast(houses.house_kind as varchar) as house_kind,
        cast(houses.address as varchar) as address,
        cast(houses.district_code as varchar) as district_code,
        cast(houses.district_name as varchar) as district_name,
        cast(houses.street_code as varchar) as street_code,
        cast(streets.division_name as varchar) as street_name,
        cast(houses.committee_code as varchar) as committee_code,
        cast(committees.division_name as varchar) as committee_name,
        -- 地址编码 = 小区 code (14 digits) + building serial (4): the 小区 is its first 14 digits
        cast('C' || left(houses.building_address_code, 14) as varchar) as compound_code,
        cast(coalesce(houses.compound_name, houses.unplaced_compound) as varchar) as compound_name,
        cast(houses.building_address_code as varchar) as building_code,
        cast(houses.road as varchar) as road,
        cast(houses.village as varchar) as village,
        cast(houses.lane as integer) as lane,
        cast(houses.sub_lane as integer) as sub_lane,
        cast(houses.number as integer) as number,
        cast(houses.building as integer) as building,
        cast(houses.room as integer) as room,
        cast(houses.village_group as integer) as village_group,
        cast(houses.in_register as boolean) as in_register,
        cast(titles.certificate_no as varchar) as certificate_no,
        cast(titles.house_type as varchar) as house_type,
        cast(titles.floor_area as decimal(10, 2)) as floor_area,
        cast(titles.usage as varchar) as usage,
        cast(titles.co_ownership as varchar) as co_ownership,
        cast(owners.person_key as varchar) as owner_person_key,
        cast(titles.registered_on as date) as title_registered_on,
        cast(titles.record_key as varchar) as title_record_key,
        cast(houses.record_count as bigint) as record_count,
        cast(houses.system_count as bigint) as system_count
    from houses
    left join divisions as streets on houses.street_code = streets.division_code
    left join divisions as committees on houses.committee_code = committees.division_code
    left join titles on houses.house_key = titles.house_key
    left join owners on titles.record_key = owners.record_key
)

select * from final
