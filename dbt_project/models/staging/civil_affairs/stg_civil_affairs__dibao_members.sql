with source as (
    {{ bronze_deduplicated('ca_dibao', ['case_no', 'id_number']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(case_no), '') as case_no,
        head_name as head_name_raw,
        {{ clean_name('head_name') }} as head_name,
        head_id_number as head_id_number_raw,
        {{ normalize_id_number('head_id_number') }} as head_id_number,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        {{ clean_text('relation_to_head') }} as relation_to_head,
        try_cast(household_size as integer) as household_size,
        try_cast(covered_persons as integer) as covered_persons,
        try_cast({{ to_halfwidth('monthly_amount') }} as decimal(12, 2)) as monthly_amount,
        start_date as start_date_raw,
        {{ parse_date('start_date') }} as start_date,
        {{ clean_text('hardship_reason') }} as hardship_reason,
        address as address_raw,
        {{ clean_text('address') }} as address,
        phone as phone_raw,
        {{ normalize_phone('phone') }} as phone
    from source
),

with_id as (
    select
        *,
        {{ id_number_columns('id_number') }},
        {{ id_number_columns('head_id_number', 'head_') }}
    from renamed
)

select
    *,
    -- the 户主 fields describe another person than the member row (the member is not the head)
    coalesce(head_id_number, '') <> coalesce(id_number, '') or coalesce(head_name, '') <> coalesce(person_name, '')
        as head_is_other_person
from with_id
