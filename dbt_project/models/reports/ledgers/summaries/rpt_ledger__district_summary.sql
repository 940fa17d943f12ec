{#- 区汇总表: areas (居委会 / 村委会, 小区, 楼栋, 房屋) and the 民生 target groups (current tags) per committee,
    street and district (macro ledger_rollup); persons are counted at their residence committee. -#}

with areas as (
    select level, area_type, district_code, street_code, committee_code
    from {{ ref('dim_area') }}
    where level in ('committee', 'compound', 'building')
),

houses as (
    select district_code, street_code, committee_code
    from {{ ref('rpt_ledger__house_basics') }}
),

profiles as (
    select person_key, district_code, street_code, committee_code, age
    from {{ ref('dim_person_profile') }}
    where status = 'living'
),

tags as (
    select person_key, list(tag_code) as tag_codes
    from {{ ref('fct_person_tag_current') }}
    group by person_key
),

base as (
    select 'area' as kind, area_type, district_code, street_code, committee_code, null as age,
           cast([] as varchar[]) as tag_codes
    from areas
    union all
    select 'house', null, district_code, street_code, committee_code, null, []
    from houses
    union all
    select 'resident', null, profiles.district_code, profiles.street_code, profiles.committee_code, profiles.age,
           coalesce(tags.tag_codes, [])
    from profiles
    left join tags on profiles.person_key = tags.person_key
),

rolled as (
    {{ ledger_rollup(
        base='base',
        measures=[
            {'name': 'neighbourhood_committees', 'expr': "count(*) filter (where kind = 'area' and area_type = '居委会')"},
            {'name': 'village_committees', 'expr': "count(*) filter (where kind = 'area' and area_type = '村委会')"},
            {'name': 'compounds', 'expr': "count(*) filter (where kind = 'area' and area_type in ('小区', '村'))"},
            {'name': 'buildings', 'expr': "count(*) filter (where kind = 'area' and area_type = '楼')"},
            {'name': 'houses', 'expr': "count(*) filter (where kind = 'house')"},
            {'name': 'residents', 'expr': "count(*) filter (where kind = 'resident')"},
            {'name': 'aged_60_plus', 'expr': "count(*) filter (where kind = 'resident' and age >= 60)"},
            {'name': 'aged_80_plus', 'expr': "count(*) filter (where kind = 'resident' and age >= 80)"},
            {'name': 'elderly_living_alone', 'expr': "count(*) filter (where list_contains(tag_codes, 'elderly_living_alone'))"},
            {'name': 'elderly_only_households', 'expr': "count(*) filter (where list_contains(tag_codes, 'elderly_only_household'))"},
            {'name': 'key_care', 'expr': "count(*) filter (where list_contains(tag_codes, 'key_care'))"},
            {'name': 'dibao', 'expr': "count(*) filter (where list_contains(tag_codes, 'dibao'))"},
            {'name': 'low_income', 'expr': "count(*) filter (where list_contains(tag_codes, 'low_income'))"},
            {'name': 'tekun', 'expr': "count(*) filter (where list_contains(tag_codes, 'tekun'))"},
            {'name': 'disabled', 'expr': "count(*) filter (where list_contains(tag_codes, 'disabled'))"},
            {'name': 'party_members', 'expr': "count(*) filter (where list_contains(tag_codes, 'party_full_member') or list_contains(tag_codes, 'party_probationary_member'))"},
            {'name': 'veterans', 'expr': "count(*) filter (where list_contains(tag_codes, 'veteran'))"},
            {'name': 'unemployed', 'expr': "count(*) filter (where list_contains(tag_codes, 'unemployment_registered'))"},
            {'name': 'family_doctor_signed', 'expr': "count(*) filter (where list_contains(tag_codes, 'family_doctor_signed'))"},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
