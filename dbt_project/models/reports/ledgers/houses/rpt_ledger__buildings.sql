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
)

{% set final_from %}
buildings
left join areas as compounds on buildings.compound_code = compounds.code
left join houses on buildings.building_code = houses.building_code
{% endset %}

{{ ledger_select(final_from, {
    'building_code': 'buildings.building_code',
    'compound_name': 'compounds.name',
    'house_count': 'coalesce(houses.house_count, 0)',
    'owner_occupied_count': 'coalesce(houses.owner_occupied_count, 0)',
    'rented_count': 'coalesce(houses.rented_count, 0)',
    'vacant_count': 'coalesce(houses.vacant_count, 0)',
    'resident_count': 'coalesce(houses.resident_count, 0)',
    'hukou_count': 'coalesce(houses.hukou_count, 0)',
}, area_names_of='buildings') }}
