with source as (
    {{ bronze_deduplicated('ca_low_income', ['case_no', 'id_number']) }}
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
        -- 出生年月: month precision, the first of the month
        {{ parse_date('birth_date') }} as birth_date,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('end_date') }} as end_date,
        try_cast({{ to_halfwidth('income_per_capita') }} as decimal(12, 2)) as income_per_capita,
        {{ clean_text('assistance') }} as assistance,
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

select *, {{ id_conflict_columns(month_precision=true) }}
from with_id
