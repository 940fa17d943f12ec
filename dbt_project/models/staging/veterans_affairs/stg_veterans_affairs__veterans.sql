with source as (
    {{ bronze_deduplicated('va_veterans', ['veteran_no']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(veteran_no), '') as veteran_no,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ parse_date('enlisted_on') }} as enlisted_on,
        {{ parse_date('discharged_on') }} as discharged_on,
        {{ clean_text('preferential_category') }} as preferential_category,
        {{ clean_text('disability_grade') }} as disability_grade,
        address as address_raw,
        {{ clean_text('address') }} as address,
        phone as phone_raw,
        {{ normalize_phone('phone') }} as phone
    from source
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
