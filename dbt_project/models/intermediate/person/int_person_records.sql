{#- Every staged record that names a person, one row per (source record, role): the input of person resolution.
    The roles come from each connector YAML (resolution.persons; macro person_role_records), so a new system joins
    through its YAML. Columns a system does not have are null (union by name). -#}

with typed as (
    -- every column of the union, typed, so that a city whose systems lack one still has it (null)
    select
        cast(null as varchar) as system, cast(null as varchar) as source, cast(null as varchar) as row_key,
        cast(null as varchar) as record_key, cast(null as varchar) as role, cast(null as varchar) as person_name,
        cast(null as varchar) as id_number, cast(null as boolean) as id_valid, cast(null as date) as id_birth_date,
        cast(null as varchar) as id_sex, cast(null as varchar) as id_form, cast(null as date) as birth_date, cast(null as varchar) as sex,
        cast(null as varchar) as ethnicity, cast(null as varchar) as phone, cast(null as varchar) as address,
        cast(null as varchar) as hukou_address, cast(null as timestamp with time zone) as loaded_at,
        cast(null as boolean) as birth_date_conflicts_id, cast(null as boolean) as sex_conflicts_id,
        cast(null as boolean) as id_is_key
    limit 0
),

-- every person role of every system (the connector YAMLs' resolution.persons: subject, 户主, 产权人 ...)
unioned as (
    select * from typed
    union all by name
    {{ person_role_records() }}
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
        -- the department's valid ID numbers identify (a key, the default) or are only compared (resolution.persons[].id:
        -- evidence, for a system whose numbers are typed in without a check)
        coalesce(id_is_key, true) as id_is_key,
        cast(case when id_valid then id_birth_date end as date) as id_birth_date,
        cast(case when id_valid then id_sex end as varchar) as id_sex,
        -- what was delivered in the ID column (staging id_form); a passport or travel permit number is
        -- document_no: it identifies a person who has no 身份证 number, in every system that names it
        cast(id_form as varchar) as id_form,
        cast(case when id_form = 'other_document' then id_number end as varchar) as document_no,
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
