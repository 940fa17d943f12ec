{#- 居委会基本情况表: one row per committee (dim_area) with its contact (办公地址, 电话, 邮箱) and its counts: residents
    (by residence), 户籍 persons and 户数 (by 户籍 committee, 户号 of ps_hukou), houses, occupied houses, 小区, 楼栋. -#}

with committees as (
    select code as committee_code, name as committee_name, area_type, district_code, street_code, office_address,
           phone, email
    from {{ ref('dim_area') }}
    where level = 'committee'
),

areas as (
    select code, name, level, parent_code, committee_code from {{ ref('dim_area') }}
),

profiles as (
    select person_key, committee_code, hukou_committee_code, population_type
    from {{ ref('dim_person_profile') }}
    where status = 'living'
),

-- 户号 of each living person's 户籍 record (the latest, when several)
household_numbers as (
    select person_key, household_no
    from {{ ref('fct_person_source_records') }}
    where system in {{ register_systems(households=true) }} and role = 'subject' and household_no is not null
    qualify row_number() over (partition by person_key order by recorded_on desc nulls last, record_key desc) = 1
),

residents as (
    select
        committee_code,
        count(*) as residents,
        count(*) filter (where population_type = '户籍') as resident_hukou,
        count(*) filter (where population_type = '来沪') as resident_migrants,
        count(*) filter (where population_type = '境外') as resident_overseas
    from profiles
    group by committee_code
),

registered as (
    select
        profiles.hukou_committee_code as committee_code,
        count(*) as hukou_population,
        count(distinct household_numbers.household_no) as hukou_households
    from profiles
    left join household_numbers on profiles.person_key = household_numbers.person_key
    where profiles.hukou_committee_code is not null
    group by profiles.hukou_committee_code
),

houses as (
    select
        committee_code,
        count(*) as houses,
        count(*) filter (where resident_count > 0) as occupied_houses
    from {{ ref('rpt_ledger__house_basics') }}
    group by committee_code
),

places as (
    select
        committee_code,
        count(*) filter (where level = 'compound') as compounds,
        count(*) filter (where level = 'building') as buildings
    from areas
    where level in ('compound', 'building')
    group by committee_code
)

{% set final_from %}
committees
left join areas as districts on committees.district_code = districts.code
left join areas as streets on committees.street_code = streets.code
left join residents on committees.committee_code = residents.committee_code
left join registered on committees.committee_code = registered.committee_code
left join houses on committees.committee_code = houses.committee_code
left join places on committees.committee_code = places.committee_code
{% endset %}

{{ ledger_select(final_from, {
    'committee_code': 'committees.committee_code',
    'district_name': 'districts.name',
    'street_name': 'streets.name',
    'committee_type': 'committees.area_type',
    'office_phone': 'committees.phone',
    'office_email': 'committees.email',
    'residents': 'coalesce(residents.residents, 0)',
    'resident_hukou': 'coalesce(residents.resident_hukou, 0)',
    'resident_migrants': 'coalesce(residents.resident_migrants, 0)',
    'resident_overseas': 'coalesce(residents.resident_overseas, 0)',
    'hukou_population': 'coalesce(registered.hukou_population, 0)',
    'hukou_households': 'coalesce(registered.hukou_households, 0)',
    'houses': 'coalesce(houses.houses, 0)',
    'occupied_houses': 'coalesce(houses.occupied_houses, 0)',
    'compounds': 'coalesce(places.compounds, 0)',
    'buildings': 'coalesce(places.buildings, 0)',
}) }}
