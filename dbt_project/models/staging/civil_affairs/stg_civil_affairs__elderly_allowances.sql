with source as (
    {{ bronze_deduplicated('ca_elderly_allowance', ['record_id']) }}
),

renamed as (
    select
        {{ lineage_columns("trim(record_id)") }},
        trim(record_id) as record_id,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('allowance_tier') }} as allowance_tier,
        try_cast({{ to_halfwidth('monthly_amount') }} as decimal(12, 2)) as monthly_amount,
        {{ parse_date('start_date') }} as start_date,
        address as address_raw,
        {{ clean_text('address') }} as address,
        phone as phone_raw,
        {{ normalize_phone('phone') }} as phone,
        {{ clean_text('status') }} as status,
        try_cast(updated_at as timestamp) as updated_at
    from source
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
