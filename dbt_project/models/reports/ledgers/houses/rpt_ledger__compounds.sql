{#- 小区基本情况表: one row per 小区 (or 村) of the 标准地址库 (dim_area level compound), with its buildings and the
    houses of rpt_ledger__house_basics in it by 房屋类型 and 出租情况, and who lives / is registered there. -#}

with compounds as (
    select code as compound_code, name as compound_name, area_type, district_code, street_code, committee_code
    from {{ ref('dim_area') }}
    where level = 'compound'
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
)

{% set final_from %}
compounds
left join buildings on compounds.compound_code = buildings.compound_code
left join houses on compounds.compound_code = houses.compound_code
{% endset %}

{{ ledger_select(final_from, {
    'compound_code': 'compounds.compound_code',
    'building_count': 'coalesce(buildings.building_count, 0)',
    'house_count': 'coalesce(houses.house_count, 0)',
    'commercial_count': 'coalesce(houses.commercial_count, 0)',
    'sold_public_count': 'coalesce(houses.sold_public_count, 0)',
    'resettlement_count': 'coalesce(houses.resettlement_count, 0)',
    'self_built_count': 'coalesce(houses.self_built_count, 0)',
    'untitled_count': 'coalesce(houses.untitled_count, 0)',
    'owner_occupied_count': 'coalesce(houses.owner_occupied_count, 0)',
    'rented_count': 'coalesce(houses.rented_count, 0)',
    'vacant_count': 'coalesce(houses.vacant_count, 0)',
    'resident_count': 'coalesce(houses.resident_count, 0)',
    'hukou_count': 'coalesce(houses.hukou_count, 0)',
}, area_names_of='compounds') }}
