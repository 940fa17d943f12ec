with source as (
    {{ bronze_deduplicated('po_party_members', ['id_number']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        sex as sex_raw,
        {{ normalize_sex('sex') }} as sex,
        {{ clean_text('ethnicity') }} as ethnicity,
        birth_date as birth_date_raw,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_text('education') }} as education,
        {{ parse_date('joined_on') }} as joined_on,
        {{ parse_date('full_member_on') }} as full_member_on,
        {{ clean_text('member_type') }} as member_type,
        {{ clean_text('party_branch') }} as party_branch,
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
