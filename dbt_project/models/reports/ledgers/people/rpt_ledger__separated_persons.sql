{#- 人户分离人员台账: the persons tagged 人户分离 (a living 户籍 person whose residence house differs from the 户籍 house).
    Each is listed twice: 人在户不在 by the committee they live in, 户在人不在 by the committee of their 户籍 - so both
    committees find them. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged('hukou_separated') }}
),

separated as (
    select base.*
    from base
    inner join tagged on base.person_key = tagged.person_key
),

-- the two sides: lives here with the 户籍 elsewhere, 户籍 here living elsewhere
sides as (
    select
        {{ ledger_scope_columns('separated') }},
        separated.person_key,
        '人在户不在' as separation_status,
        separated.hukou_committee_name as other_committee_name
    from separated
    where separated.committee_code is not null
    union all
    select
        {{ ledger_scope_columns('separated', 'hukou') }},
        separated.person_key,
        '户在人不在' as separation_status,
        separated.committee_name as other_committee_name
    from separated
    where separated.hukou_committee_code is not null
),

final as (
    select
        sides.district_code,
        sides.district_name,
        sides.street_code,
        sides.street_name,
        sides.committee_code,
        sides.committee_name,
        sides.person_key,
        sides.separation_status,
        separated.name,
        separated.sex,
        separated.birth_date,
        separated.age,
        separated.id_number,
        separated.household_no,
        separated.relation_to_head,
        separated.hukou_address,
        separated.residence_address,
        sides.other_committee_name,
        separated.residence_since,
        separated.phone
    from sides
    inner join separated on sides.person_key = separated.person_key
)

select * from final
