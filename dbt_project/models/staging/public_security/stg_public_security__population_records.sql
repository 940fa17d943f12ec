with source as (
    {{ bronze_deduplicated('ps_population', ['record_id']) }}
),

ethnicity_codes as (
    select ethnicity_code, ethnicity from {{ ref('ref_ethnicity_codes') }}
),

renamed as (
    select
        {{ lineage_columns("trim(source.record_id)") }},
        trim(source.record_id) as record_id,
        source.person_name as person_name_raw,
        {{ clean_name('source.person_name') }} as person_name,
        source.id_number as id_number_raw,
        {{ normalize_id_number('source.id_number') }} as id_number,
        source.sex as sex_raw,
        {{ normalize_sex('source.sex') }} as sex,
        source.ethnicity as ethnicity_code,
        ethnicity_codes.ethnicity,
        source.birth_date as birth_date_raw,
        {{ parse_date('source.birth_date') }} as birth_date,
        source.population_type as population_type_code,
        case trim(source.population_type) when '1' then '户籍' when '2' then '来沪' when '3' then '境外' end
            as population_type,
        source.address as address_raw,
        {{ clean_text('source.address') }} as address,
        source.hukou_address as hukou_address_raw,
        {{ clean_text('source.hukou_address') }} as hukou_address,
        nullif(trim(source.hukou_region_code), '') as hukou_region_code,
        {{ parse_date('source.arrived_on') }} as arrived_on,
        nullif(trim(source.residence_permit_no), '') as residence_permit_no,
        source.phone as phone_raw,
        {{ normalize_phone('source.phone') }} as phone,
        source.status as status_code,
        case trim(source.status) when '0' then '正常' when '1' then '死亡' when '2' then '迁出' end as status,
        try_cast(source.updated_at as timestamp) as updated_at
    from source
    left join ethnicity_codes on lpad(trim(source.ethnicity), 2, '0') = ethnicity_codes.ethnicity_code
),

with_id as (
    select *, {{ id_number_columns('id_number') }}
    from renamed
)

select *, {{ id_conflict_columns() }}
from with_id
