with source as (
    {{ bronze_deduplicated('cc_visits', ['visit_id']) }}
),

renamed as (
    select
        {{ lineage_columns() }},
        nullif(trim(visit_id), '') as visit_id,
        {{ parse_date('visited_on') }} as visited_on,
        {{ clean_name('visitor_name') }} as visitor_name,
        {{ clean_text('visitor_department') }} as visitor_department,
        nullif(trim(committee_code), '') as committee_code,
        person_name as person_name_raw,
        {{ clean_name('person_name') }} as person_name,
        id_number as id_number_raw,
        {{ normalize_id_number('id_number') }} as id_number,
        address as address_raw,
        {{ clean_text('address') }} as address,
        {{ clean_text('method') }} as method,
        {{ clean_text('situation') }} as situation,
        {{ clean_text('appeal') }} as appeal,
        case trim(follow_up) when '是' then true when '否' then false end as follow_up
    from source
)

select *, {{ id_number_columns('id_number') }}
from renamed
