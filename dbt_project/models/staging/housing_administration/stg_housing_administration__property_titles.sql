with source as (
    {{ bronze_deduplicated('ha_property', ['certificate_no']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim({{ to_halfwidth('certificate_no') }}), '') as certificate_no,
        address as address_raw,
        {{ clean_text('address') }} as address,
        owner_name as owner_name_raw,
        {{ clean_name('owner_name') }} as owner_name,
        owner_id_number as owner_id_number_raw,
        {{ normalize_id_number('owner_id_number') }} as owner_id_number,
        {{ clean_text('co_ownership') }} as co_ownership,
        {{ clean_text('house_type') }} as house_type,
        try_cast({{ to_halfwidth('floor_area') }} as decimal(10, 2)) as floor_area,
        {{ clean_text('usage') }} as usage,
        registered_on as registered_on_raw,
        {{ parse_date('registered_on') }} as registered_on
    from source
)

select *, {{ id_number_columns('owner_id_number', 'owner_') }}
from renamed
