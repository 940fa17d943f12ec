{#- 老年人口统计表: living residents aged 60 and over per age band (60-69 / 70-79 / 80-89 / 90-99 / 100+) with
    sex, 人员类别 and living situation, per committee, street and district of residence (macro ledger_rollup). -#}

with elderly as (
    select
        district_code,
        street_code,
        committee_code,
        {{ ledger_elderly_age_band('age') }} as age_band,
        sex,
        population_type,
        lives_alone,
        household_living_count,
        household_min_age,
        disabled,
        family_doctor_signed
    from {{ ref('dim_person_profile') }}
    where status = 'living' and age >= 60
),

cells as (
    select age_band
    from (values ('60-69岁'), ('70-79岁'), ('80-89岁'), ('90-99岁'), ('100岁及以上')) as bands (age_band)
),

rolled as (
    {{ ledger_rollup(
        base='elderly',
        dimensions=['age_band'],
        cells='cells',
        measures=[
            {'name': 'persons', 'expr': 'count(*)'},
            {'name': 'male', 'expr': "count(*) filter (where sex = '男')"},
            {'name': 'female', 'expr': "count(*) filter (where sex = '女')"},
            {'name': 'hukou', 'expr': "count(*) filter (where population_type = '户籍')"},
            {'name': 'migrants', 'expr': "count(*) filter (where population_type = '来沪')"},
            {'name': 'overseas', 'expr': "count(*) filter (where population_type = '境外')"},
            {'name': 'living_alone', 'expr': 'count(*) filter (where lives_alone)'},
            {'name': 'elderly_only_household', 'expr': 'count(*) filter (where household_living_count >= 2 and household_min_age >= 60)'},
            {'name': 'disabled', 'expr': 'count(*) filter (where disabled)'},
            {'name': 'family_doctor_signed', 'expr': 'count(*) filter (where family_doctor_signed)'},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
