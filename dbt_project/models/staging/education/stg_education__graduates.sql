with source as (
    {{ bronze_deduplicated('ed_graduates', ['student_no']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(student_no), '') as student_no,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('school') }} as school,
        {{ clean_text('major') }} as major,
        {{ clean_text('degree') }} as degree,
        try_cast(graduation_year as integer) as graduation_year,
        address as address_raw,
        {{ clean_text('address') }} as address,
        {{ clean_text('employment_status') }} as employment_status
    from source
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
