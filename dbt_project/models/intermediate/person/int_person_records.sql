{#- Every staged record that names a person, one row per (source record, role): the input of person resolution.
    Columns a system does not have are null (union by name). -#}

with hukou as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, ethnicity, phone, hukou_address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_public_security__hukou_persons') }}
),

population as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, ethnicity, phone, address, hukou_address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_public_security__population_records') }}
),

dibao_members as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, phone, address, loaded_at
    from {{ ref('stg_civil_affairs__dibao_members') }}
),

-- the 户主 named on a member's row, when the member is someone else (the head's own row is the subject above)
dibao_heads as (
    select system, source, row_key, record_key, 'head' as role, head_name as person_name,
        head_id_number as id_number, head_id_valid as id_valid, head_id_birth_date as id_birth_date,
        head_id_sex as id_sex, address, loaded_at
    from {{ ref('stg_civil_affairs__dibao_members') }}
    where head_is_other_person and (head_name is not null or head_id_number is not null)
),

low_income as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_civil_affairs__low_income_persons') }}
),

tekun as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_civil_affairs__tekun_persons') }}
),

elderly_allowance as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_civil_affairs__elderly_allowances') }}
),

disability as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, sex, phone, address, loaded_at, sex_conflicts_id
    from {{ ref('stg_disabled_persons_federation__disabled_persons') }}
),

family_doctor as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_health_commission__family_doctor_signings') }}
),

employment as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, hukou_address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_human_resources__employment_registrations') }}
),

-- the owner of a title; the title's 房屋坐落 is the house, not necessarily where the owner lives: address stays null
property_owners as (
    select system, source, row_key, record_key, 'owner' as role, owner_name as person_name,
        owner_id_number as id_number, owner_id_valid as id_valid, owner_id_birth_date as id_birth_date,
        owner_id_sex as id_sex, loaded_at
    from {{ ref('stg_housing_administration__property_titles') }}
    where owner_name is not null or owner_id_number is not null
),

veterans as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_veterans_affairs__veterans') }}
),

party_members as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, ethnicity, phone, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_party_organisation__party_members') }}
),

graduates as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, birth_date, sex, address, loaded_at,
        birth_date_conflicts_id, sex_conflicts_id
    from {{ ref('stg_education__graduates') }}
),

visits as (
    select system, source, row_key, record_key, 'subject' as role, person_name, id_number, id_valid, id_birth_date,
        id_sex, address, loaded_at
    from {{ ref('stg_community_committees__visits') }}
),

unioned as (
    select * from hukou
    union all by name select * from population
    union all by name select * from dibao_members
    union all by name select * from dibao_heads
    union all by name select * from low_income
    union all by name select * from tekun
    union all by name select * from elderly_allowance
    union all by name select * from disability
    union all by name select * from family_doctor
    union all by name select * from employment
    union all by name select * from property_owners
    union all by name select * from veterans
    union all by name select * from party_members
    union all by name select * from graduates
    union all by name select * from visits
),

final as (
    select
        record_key || ':' || role as record_person_key,
        cast(system as varchar) as system,
        cast(source as varchar) as source,
        cast(row_key as varchar) as row_key,
        cast(record_key as varchar) as record_key,
        cast(role as varchar) as role,
        cast(person_name as varchar) as person_name,
        cast(id_number as varchar) as id_number,
        cast(id_valid as boolean) as id_valid,
        cast(case when id_valid then id_birth_date end as date) as id_birth_date,
        cast(case when id_valid then id_sex end as varchar) as id_sex,
        cast(coalesce(birth_date, case when id_valid then id_birth_date end) as date) as birth_date,
        birth_date is null and id_valid as birth_date_from_id,
        cast(coalesce(sex, case when id_valid then id_sex end) as varchar) as sex,
        sex is null and id_valid as sex_from_id,
        -- a valid ID whose birth date or sex contradicts what the record states (staging flags; month precision kept)
        coalesce(id_valid and (coalesce(birth_date_conflicts_id, false) or coalesce(sex_conflicts_id, false)), false)
            as id_conflicts_stated,
        cast(ethnicity as varchar) as ethnicity,
        cast(phone as varchar) as phone,
        cast(address as varchar) as address,
        cast(hukou_address as varchar) as hukou_address,
        loaded_at
    from unioned
    where person_name is not null or id_number is not null
)

select * from final
