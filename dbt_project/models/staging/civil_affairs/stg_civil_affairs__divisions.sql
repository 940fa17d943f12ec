with source as (
    {{ bronze_deduplicated('ca_divisions') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        trim(division_code) as division_code,
        {{ clean_text('division_name') }} as division_name,
        case length(trim(division_code)) when 6 then 'district' when 9 then 'street' when 12 then 'committee' end
            as division_level,
        {{ clean_text('division_level') }} as division_level_label,
        nullif(trim(parent_code), '') as parent_code,
        {{ clean_text('division_type') }} as division_type,
        {{ clean_text('office_address') }} as office_address,
        {{ normalize_phone('phone') }} as phone,
        lower(nullif(trim(email), '')) as email
    from source
)

select * from renamed
