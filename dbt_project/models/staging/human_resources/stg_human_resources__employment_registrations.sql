with source as (
    {{ bronze_deduplicated('hr_employment', ['registration_no']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(registration_no), '') as registration_no,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('registration_type') }} as registration_type,
        {{ parse_date('registered_on') }} as registered_on,
        {{ clean_text('employer') }} as employer,
        {{ parse_date('ended_on') }} as ended_on,
        hukou_address as hukou_address_raw,
        {{ clean_text('hukou_address') }} as hukou_address,
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
