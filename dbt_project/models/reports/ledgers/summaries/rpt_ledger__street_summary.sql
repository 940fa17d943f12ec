{#- 街道汇总表: the key counts of people and houses per committee, street and district (macro ledger_rollup over
    one base of persons by residence committee, persons by 户籍 committee, houses, 小区 and buildings). -#}

with profiles as (
    select
        person_key, district_code, street_code, committee_code, hukou_district_code, hukou_street_code,
        hukou_committee_code, population_type, age, is_separated
    from {{ ref('dim_person_profile') }}
    where status = 'living'
),

houses as (
    select district_code, street_code, committee_code, occupancy
    from {{ ref('rpt_ledger__house_basics') }}
),

areas as (
    select level, district_code, street_code, committee_code
    from {{ ref('dim_area') }}
    where level in ('compound', 'building')
),

-- one row per counted thing, `kind` says what it is
base as (
    select 'resident' as kind, district_code, street_code, committee_code, population_type, age, is_separated,
           cast(null as varchar) as occupancy
    from profiles
    union all
    select 'hukou', hukou_district_code, hukou_street_code, hukou_committee_code, population_type, age, is_separated, null
    from profiles
    union all
    select 'house', district_code, street_code, committee_code, null, null, null, occupancy
    from houses
    union all
    select level, district_code, street_code, committee_code, null, null, null, null
    from areas
),

rolled as (
    {{ ledger_rollup(
        base='base',
        measures=[
            {'name': 'residents', 'expr': "count(*) filter (where kind = 'resident')"},
            {'name': 'resident_hukou', 'expr': "count(*) filter (where kind = 'resident' and population_type = '户籍')"},
            {'name': 'resident_migrants', 'expr': "count(*) filter (where kind = 'resident' and population_type = '来沪')"},
            {'name': 'resident_overseas', 'expr': "count(*) filter (where kind = 'resident' and population_type = '境外')"},
            {'name': 'hukou_population', 'expr': "count(*) filter (where kind = 'hukou')"},
            {'name': 'hukou_separated', 'expr': "count(*) filter (where kind = 'hukou' and is_separated)"},
            {'name': 'aged_60_plus', 'expr': "count(*) filter (where kind = 'resident' and age >= 60)"},
            {'name': 'aged_80_plus', 'expr': "count(*) filter (where kind = 'resident' and age >= 80)"},
            {'name': 'houses', 'expr': "count(*) filter (where kind = 'house')"},
            {'name': 'houses_owner_occupied', 'expr': "count(*) filter (where kind = 'house' and occupancy = '自住')"},
            {'name': 'houses_rented', 'expr': "count(*) filter (where kind = 'house' and occupancy = '出租')"},
            {'name': 'houses_vacant', 'expr': "count(*) filter (where kind = 'house' and occupancy = '空置')"},
            {'name': 'compounds', 'expr': "count(*) filter (where kind = 'compound')"},
            {'name': 'buildings', 'expr': "count(*) filter (where kind = 'building')"},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
