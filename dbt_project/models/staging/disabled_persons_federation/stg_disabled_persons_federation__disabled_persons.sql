with source as (
    {{ bronze_deduplicated('dpf_disability', ['disability_cert_no']) }}
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
        disability_cert_no as disability_cert_no_raw,
        -- 残疾人证号 (2nd gen): the 18-character ID + 残疾类别 + 等级; a 15-digit ID part is widened like an ID
        nullif(upper(regexp_replace({{ to_halfwidth('disability_cert_no') }}, '\s+', '', 'g')), '') as disability_cert_no,
        {{ clean_text('disability_category') }} as disability_category,
        {{ clean_text('disability_grade') }} as disability_grade,
        issued_on as issued_on_raw,
        {{ parse_date('issued_on') }} as issued_on,
        {{ clean_name('guardian_name') }} as guardian_name,
        {{ normalize_phone('guardian_phone') }} as guardian_phone,
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
        case when length(disability_cert_no) = 20 then cast(substr(disability_cert_no, 19, 1) as varchar) end
            as cert_category_code,
        case when length(disability_cert_no) = 20 then cast(substr(disability_cert_no, 20, 1) as varchar) end
            as cert_grade_code
    from renamed
)

select
    *,
    -- the ID part of the 残疾人证号 differs from the ID number field
    case when id_valid and length(disability_cert_no) = 20 then substr(disability_cert_no, 1, 18) <> id_number end
        as cert_conflicts_id,
    case when id_valid then id_sex <> sex end as sex_conflicts_id
from with_id
