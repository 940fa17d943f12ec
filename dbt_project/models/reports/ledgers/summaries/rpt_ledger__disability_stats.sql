{#- 残疾人分类统计表: living residents holding a 残疾人证 (dim_person_profile) by 残疾类别 × 残疾等级, per committee,
    street and district of residence (macro ledger_rollup). -#}

with disabled as (
    select
        district_code,
        street_code,
        committee_code,
        coalesce(disability_category, '类别不详') as disability_category,
        case disability_grade
            when 1 then '一级' when 2 then '二级' when 3 then '三级' when 4 then '四级' else '等级不详'
        end as disability_grade,
        sex,
        age
    from {{ ref('dim_person_profile') }}
    where status = 'living' and disabled
),

cells as (
    select disability_category, disability_grade
    from (
        values ('视力残疾'), ('听力残疾'), ('言语残疾'), ('肢体残疾'), ('智力残疾'), ('精神残疾'), ('多重残疾')
    ) as categories (disability_category)
    cross join (values ('一级'), ('二级'), ('三级'), ('四级')) as grades (disability_grade)
),

rolled as (
    {{ ledger_rollup(
        base='disabled',
        dimensions=['disability_category', 'disability_grade'],
        cells='cells',
        measures=[
            {'name': 'persons', 'expr': 'count(*)'},
            {'name': 'male', 'expr': "count(*) filter (where sex = '男')"},
            {'name': 'female', 'expr': "count(*) filter (where sex = '女')"},
            {'name': 'minors', 'expr': 'count(*) filter (where age < 18)'},
            {'name': 'elderly', 'expr': 'count(*) filter (where age >= 60)'},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
