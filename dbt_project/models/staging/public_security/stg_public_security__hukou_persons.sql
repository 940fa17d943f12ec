with source as (
    {{ bronze_deduplicated('ps_hukou', ['household_no', 'id_number']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(household_no), '') as household_no,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        {{ clean_text('ethnicity') }} as ethnicity,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('relation_to_head') }} as relation_to_head,
        hukou_address as hukou_address_raw,
        {{ clean_text('hukou_address') }} as hukou_address,
        {{ parse_date('registered_on') }} as registered_on,
        {{ clean_text('status') }} as status,
        {{ parse_date('status_changed_on') }} as status_changed_on,
        {{ clean_text('education') }} as education,
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
