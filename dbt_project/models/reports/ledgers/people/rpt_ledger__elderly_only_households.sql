{#- 纯老家庭台账: the persons tagged 纯老家庭 (two or more living residents of one residence house, all aged 60+).
    One row per member (the tag's grain), keyed to the household by house_key, with the other members named. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('elderly_only_household') }}
),

profiles as (
    select person_key, disabled, family_doctor_signed
    from {{ ref('dim_person_profile') }}
),

members as (
    select base.*
    from base
    inner join tagged on base.person_key = tagged.person_key
    where base.committee_code is not null
),

-- the other living residents of the same house on a population register (those household_living_count counts),
-- "姓名(年龄)" in birth order
housemates as (
    select
        members.person_key,
        string_agg(
            others.name || '(' || coalesce(cast(others.age as varchar), '?') || ')', '、'
            order by others.birth_date, others.person_key
        ) as other_members
    from members
    inner join base as others
        on members.residence_house_key = others.residence_house_key
        and others.person_key <> members.person_key
        and others.status = 'living'
        and others.on_population_register
    group by members.person_key
)

{% set final_from %}
members
inner join profiles on members.person_key = profiles.person_key
left join housemates on members.person_key = housemates.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'house_key': 'members.residence_house_key',
    'household_living_count': 'cast(members.household_living_count as integer)',
    'other_members': 'housemates.other_members',
    'disabled': ledger_yes_no('profiles.disabled'),
    'family_doctor_signed': ledger_yes_no('profiles.family_doctor_signed'),
}, qualifier='members') }}
