with source as (
    {{ bronze_deduplicated('ps_standard_addresses') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        trim(address_code) as address_code,
        {{ clean_text('standard_address') }} as standard_address,
        trim(district_code) as district_code,
        {{ clean_text('district_name') }} as district_name,
        nullif(trim(street_code), '') as street_code,
        {{ clean_text('street_name') }} as street_name,
        trim(committee_code) as committee_code,
        {{ clean_text('committee_name') }} as committee_name,
        {{ clean_text('compound_name') }} as compound_name,
        {{ clean_text('road') }} as road,
        try_cast(lane as integer) as lane,
        try_cast(sub_lane as integer) as sub_lane,
        try_cast(number as integer) as number,
        try_cast(building as integer) as building,
        try_cast(village_group as integer) as village_group
    from source
)

select * from renamed
