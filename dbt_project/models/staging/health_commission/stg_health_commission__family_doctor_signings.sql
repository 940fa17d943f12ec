with source as (
    {{ bronze_deduplicated('hc_family_doctor', ['sign_id']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(sign_id), '') as sign_id,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('sign_org') }} as sign_org,
        {{ clean_name('doctor_name') }} as doctor_name,
        {{ parse_date('sign_date') }} as sign_date,
        {{ parse_date('expire_date') }} as expire_date,
        {{ clean_text('chronic_diseases') }} as chronic_diseases,
        phone as phone_raw,
        {{ normalize_phone('phone') }} as phone,
        address as address_raw,
        {{ clean_text('address') }} as address
    from source
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
