{#- 楼栋基本情况表: one row per building (楼, one 标准地址 of the 标准地址库, dim_area level building), with the houses
    of rpt_ledger__house_basics in it by 出租情况 and who lives / is registered there. -#}

with buildings as (
    select
        code as building_code, name as building_name, address, parent_code as compound_code, district_code,
        street_code, committee_code
    from {{ ref('dim_area') }}
    where level = 'building'
),

areas as (
    select code, name from {{ ref('dim_area') }}
),

houses as (
    select
        building_code,
        count(*) as house_count,
        count(*) filter (where occupancy = '自住') as owner_occupied_count,
        count(*) filter (where occupancy = '出租') as rented_count,
        count(*) filter (where occupancy = '空置') as vacant_count,
        string_agg(distinct house_type, '、' order by house_type) as house_types,
        sum(floor_area) as floor_area,
        sum(resident_count) as resident_count,
        sum(hukou_count) as hukou_count
    from {{ ref('rpt_ledger__house_basics') }}
    where building_code is not null
    group by building_code
),

final as (
    select
        cast(buildings.district_code as varchar) as district_code,
        cast(districts.name as varchar) as district_name,
        cast(buildings.street_code as varchar) as street_code,
        cast(streets.name as varchar) as street_name,
        cast(buildings.committee_code as varchar) as committee_code,
        cast(committees.name as varchar) as committee_name,
        cast(buildings.compound_code as varchar) as compound_code,
        cast(compounds.name as varchar) as compound_name,
        cast(buildings.building_code as varchar) as building_code,
        cast(buildings.building_name as varchar) as building_name,
        cast(buildings.address as varchar) as address,
        cast(houses.house_types as varchar) as house_types,
        cast(coalesce(houses.house_count, 0) as bigint) as house_count,
        cast(coalesce(houses.owner_occupied_count, 0) as bigint) as owner_occupied_count,
        cast(coalesce(houses.rented_count, 0) as bigint) as rented_count,
        cast(coalesce(houses.vacant_count, 0) as bigint) as vacant_count,
        cast(houses.floor_area as decimal(14, 2)) as floor_area,
        cast(coalesce(houses.resident_count, 0) as bigint) as resident_count,
        cast(coalesce(houses.hukou_count, 0) as bigint) as hukou_count
    from buildings
    left join areas as districts on buildings.district_code = districts.code
    left join areas as streets on buildings.street_code = streets.code
    left join areas as committees on buildings.committee_code = committees.code
    left join areas as compounds on buildings.compound_code = compounds.code
    left join houses on buildings.building_code = houses.building_code
)

select * from final
