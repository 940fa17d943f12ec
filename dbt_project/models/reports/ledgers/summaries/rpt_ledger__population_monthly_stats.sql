{#- 实有人口统计表（月报）: living residents counted by 人员类别 × 年龄段, with 男 / 女, per committee (residence
    committee of dim_person_profile), street and district (macro ledger_rollup). -#}

with persons as (
    select
        district_code,
        street_code,
        committee_code,
        coalesce(population_type, '未登记') as population_type,
        {{ ledger_age_band('age') }} as age_band,
        sex
    from {{ ref('dim_person_profile') }}
    where status = 'living'
),

-- every committee gets every 人员类别 × 年龄段 (zeros included)
cells as (
    select population_type, age_band
    from (values ('户籍'), ('来沪'), ('境外')) as types (population_type)
    cross join (
        values ('00-06岁'), ('07-17岁'), ('18-34岁'), ('35-59岁'), ('60-69岁'), ('70-79岁'), ('80岁及以上')
    ) as bands (age_band)
),

rolled as (
    {{ ledger_rollup(
        base='persons',
        dimensions=['population_type', 'age_band'],
        cells='cells',
        measures=[
            {'name': 'persons', 'expr': 'count(*)'},
            {'name': 'male', 'expr': "count(*) filter (where sex = '男')"},
            {'name': 'female', 'expr': "count(*) filter (where sex = '女')"},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
