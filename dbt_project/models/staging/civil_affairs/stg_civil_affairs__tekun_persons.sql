with source as (
    {{ bronze_deduplicated('ca_tekun', ['case_no']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(case_no), '') as case_no,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('support_type') }} as support_type,
        {{ parse_date('start_date') }} as start_date,
        address as address_raw,
        {{ clean_text('address') }} as address,
        phone as phone_raw,
        {{ normalize_phone('phone') }} as phone,
        {{ clean_name('caregiver_name') }} as caregiver_name
    from source
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
