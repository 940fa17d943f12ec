{#- 房屋使用情况统计表: houses of rpt_ledger__house_basics by 房屋类型 with 自住 / 出租 / 空置, per committee, street
    and district (macro ledger_rollup). -#}

with houses as (
    select district_code, street_code, committee_code, house_type, occupancy, resident_count, hukou_count
    from {{ ref('rpt_ledger__house_basics') }}
),

cells as (
    select house_type
    from (values ('商品房'), ('售后公房'), ('动迁安置房'), ('农民自建房'), ('无产权登记')) as types (house_type)
),

rolled as (
    {{ ledger_rollup(
        base='houses',
        dimensions=['house_type'],
        cells='cells',
        measures=[
            {'name': 'houses', 'expr': 'count(*)'},
            {'name': 'owner_occupied', 'expr': "count(*) filter (where occupancy = '自住')"},
            {'name': 'rented', 'expr': "count(*) filter (where occupancy = '出租')"},
            {'name': 'vacant', 'expr': "count(*) filter (where occupancy = '空置')"},
            {'name': 'residents', 'expr': 'sum(resident_count)'},
            {'name': 'hukou_persons', 'expr': 'sum(hukou_count)'},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
