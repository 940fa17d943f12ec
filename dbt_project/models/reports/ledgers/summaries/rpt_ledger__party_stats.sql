{#- 党员统计表: living residents on the 党员 roster (dim_person_profile.party_member_type) per committee, street
    and district of residence (macro ledger_rollup): 正式 / 预备, sex, 少数民族, age groups, joined this year. -#}

with members as (
    select
        district_code,
        street_code,
        committee_code,
        party_member_type,
        sex,
        is_minority,
        age,
        population_type,
        party_joined_on
    from {{ ref('dim_person_profile') }}
    where status = 'living' and party_member_type is not null
),

rolled as (
    {{ ledger_rollup(
        base='members',
        measures=[
            {'name': 'members', 'expr': 'count(*)'},
            {'name': 'full_members', 'expr': "count(*) filter (where party_member_type = '正式党员')"},
            {'name': 'probationary_members', 'expr': "count(*) filter (where party_member_type = '预备党员')"},
            {'name': 'male', 'expr': "count(*) filter (where sex = '男')"},
            {'name': 'female', 'expr': "count(*) filter (where sex = '女')"},
            {'name': 'minority', 'expr': 'count(*) filter (where is_minority)'},
            {'name': 'aged_35_under', 'expr': 'count(*) filter (where age <= 35)'},
            {'name': 'aged_36_59', 'expr': 'count(*) filter (where age between 36 and 59)'},
            {'name': 'aged_60_79', 'expr': 'count(*) filter (where age between 60 and 79)'},
            {'name': 'aged_80_plus', 'expr': 'count(*) filter (where age >= 80)'},
            {'name': 'migrants', 'expr': "count(*) filter (where population_type = '来沪')"},
            {'name': 'joined_this_year', 'expr': "count(*) filter (where year(party_joined_on) = year(" ~ as_of() ~ "))"},
        ]
    ) }}
)

{{ ledger_select('rolled') }}
