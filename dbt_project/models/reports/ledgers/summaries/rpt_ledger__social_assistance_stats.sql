{#- 社会救助统计表: living residents on the 低保 / 低收入 / 特困 rosters (dim_person_profile) per committee,
    street and district of residence (macro ledger_rollup); 户 = the residence houses they live in. -#}

with assisted as (
    select
        district_code,
        street_code,
        committee_code,
        residence_house_key,
        coalesce(dibao, false) as dibao,
        coalesce(low_income, false) as low_income,
        coalesce(tekun, false) as tekun,
        age,
        coalesce(disabled, false) as disabled
    from {{ ref('dim_person_profile') }}
    where status = 'living' and (dibao or low_income or tekun)
),

rolled as (
    {{ ledger_rollup(
        base='assisted',
        measures=[
            {'name': 'assisted_persons', 'expr': 'count(*)'},
            {'name': 'assisted_houses', 'expr': 'count(distinct residence_house_key)'},
            {'name': 'dibao_persons', 'expr': 'count(*) filter (where dibao)'},
            {'name': 'dibao_houses', 'expr': 'count(distinct residence_house_key) filter (where dibao)'},
            {'name': 'low_income_persons', 'expr': 'count(*) filter (where low_income)'},
            {'name': 'low_income_houses', 'expr': 'count(distinct residence_house_key) filter (where low_income)'},
            {'name': 'tekun_persons', 'expr': 'count(*) filter (where tekun)'},
            {'name': 'assisted_minors', 'expr': 'count(*) filter (where age < 18)'},
            {'name': 'assisted_elderly', 'expr': 'count(*) filter (where age >= 60)'},
            {'name': 'assisted_disabled', 'expr': 'count(*) filter (where disabled)'},
        ]
    ) }}
),

final as (
    select
        cast(level as varchar) as level,
        cast(district_code as varchar) as district_code,
        cast(district_name as varchar) as district_name,
        cast(street_code as varchar) as street_code,
        cast(street_name as varchar) as street_name,
        cast(committee_code as varchar) as committee_code,
        cast(committee_name as varchar) as committee_name,
        cast(assisted_persons as bigint) as assisted_persons,
        cast(assisted_houses as bigint) as assisted_houses,
        cast(dibao_persons as bigint) as dibao_persons,
        cast(dibao_houses as bigint) as dibao_houses,
        cast(low_income_persons as bigint) as low_income_persons,
        cast(low_income_houses as bigint) as low_income_houses,
        cast(tekun_persons as bigint) as tekun_persons,
        cast(assisted_minors as bigint) as assisted_minors,
        cast(assisted_elderly as bigint) as assisted_elderly,
        cast(assisted_disabled as bigint) as assisted_disabled
    from rolled
)

select * from final
