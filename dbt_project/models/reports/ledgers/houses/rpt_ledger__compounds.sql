{#- 小区基本情况表: one row per 小区 (or 村) of the 标准地址库 (dim_area level compound), with its buildings and the
    houses of rpt_ledger__house_basics in it by 房屋类型 and 出租情况, and who lives / is registered there. -#}

with compounds as (
    select code as compound_code, name as compound_name, area_type, district_code, street_code, committee_code
    from {{ ref('dim_area') }}
    where level = 'compound'
),

areas as (
    select code, name from {{ ref('dim_area') }}
),

buildings as (
    select parent_code as compound_code, count(*) as building_count
    from {{ ref('dim_area') }}
    where level = 'building'
    group by parent_code
),

houses as (
    select
        compound_code,
        count(*) as house_count,
        count(*) filter (where house_type = '商品房') as commercial_count,
        count(*) filter (where house_type = '售后公房') as sold_public_count,
        count(*) filter (where house_type = '动迁安置房') as resettlement_count,
        count(*) filter (where house_type = '农民自建房') as self_built_count,
        count(*) filter (where house_type = '无产权登记') as untitled_count,
        count(*) filter (where occupancy = '自住') as owner_occupied_count,
        count(*) filter (where occupancy = '出租') as rented_count,
        count(*) filter (where occupancy = '空置') as vacant_count,
        sum(floor_area) as floor_area,
        sum(resident_count) as resident_count,
        sum(hukou_count) as hukou_count
    from {{ ref('rpt_ledger__house_basics') }}
    where compound_code is not null
    group by compound_code
),

final as (
    select
        cast(compounds.district_code as varchar) as district_code,
        cast(districts.name as varchar) as district_name,
        cast(compounds.street_code as varchar) as street_code,
        cast(streets.name as varchar) as street_name,
        cast(compounds.committee_code as varchar) as committee_code,
        cast(committees.name as varchar) as committee_name,
        cast(compounds.compound_code as varchar) as compound_code,
        cast(compounds.compound_name as varchar) as compound_name,
        cast(compounds.area_type as varchar) as area_type,
        cast(coalesce(buildings.building_count, 0) as bigint) as building_count,
        cast(coalesce(houses.house_count, 0) as bigint) as house_count,
        cast(coalesce(houses.commercial_count, 0) as bigint) as commercial_count,
        cast(coalesce(houses.sold_public_count, 0) as bigint) as sold_public_count,
        cast(coalesce(houses.resettlement_count, 0) as bigint) as resettlement_count,
        cast(coalesce(houses.self_built_count, 0) as bigint) as self_built_count,
        cast(coalesce(houses.untitled_count, 0) as bigint) as untitled_count,
        cast(coalesce(houses.owner_occupied_count, 0) as bigint) as owner_occupied_count,
        cast(coalesce(houses.rented_count, 0) as bigint) as rented_count,
        cast(coalesce(houses.vacant_count, 0) as bigint) as vacant_count,
        cast(houses.floor_area as decimal(14, 2)) as floor_area,
        cast(coalesce(houses.resident_count, 0) as bigint) as resident_count,
        cast(coalesce(houses.hukou_count, 0) as bigint) as hukou_count
    from compounds
    left join areas as districts on compounds.district_code = districts.code
    left join areas as streets on compounds.street_code = streets.code
    left join areas as committees on compounds.committee_code = committees.code
    left join buildings on compounds.compound_code = buildings.compound_code
    left join houses on compounds.compound_code = houses.compound_code
)

select * from final
