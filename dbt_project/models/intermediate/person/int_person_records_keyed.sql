-- person records with the keys resolution needs: trusted ID, ID segments, pinyin, standardised address and door
with

records as (
    select * from {{ ref('int_person_records') }}
),

names as (
    select * from {{ ref('int_person_names_romanised') }}
),

-- not materialized: read three times below (the final select and the corrections' two inputs); recomputing this
-- projection is cheaper than DuckDB's copy of every record with every column, which at 5M persons ran out of memory
id_checked as not materialized (
    select
        records.*,
        case when id_valid then id_number end as valid_id,
        -- a valid ID whose birth date or sex contradicts the record's own is not trusted as a key
        id_valid and coalesce(id_is_key, true)
            and (birth_date is null or strftime(birth_date, '%Y%m%d') = substr(id_number, 7, 8))
            and (sex is null or sex = case when try_cast(substr(id_number, 17, 1) as integer) % 2 = 1
                                            then '男' else '女' end)
            as id_trusted
    from records
),

addresses as (
    select * from {{ ref('int_person_addresses_standardised') }}
),

final as (
    select
        a.record_person_key,
        a.record_key,
        a.system,
        a.role,
        a.person_name,
        n.surname,
        n.surname_pinyin,
        n.name_pinyin,
        n.name_chars_sorted,
        a.id_number,
        a.valid_id,
        coalesce(a.id_trusted, false) as id_trusted,
        -- a passport / travel permit number (letters and digits only) of a record without a valid ID: records
        -- sharing one start in one cluster like a trusted ID (shequyun.resolution.cluster)
        case when not coalesce(a.id_valid, false) and a.document_no is not null
            then nullif(regexp_replace(upper(a.document_no), '[^A-Z0-9]', '', 'g'), '') end as document_key,
        -- an 18-character number of digits (valid or not: a wrong check digit or Excel's lost last digits still
        -- carry region, birth date and sequence for blocking; Excel's trailing .0 is dropped); a starred (masked)
        -- number is no blocking key
        case when regexp_full_match(a.id_number, '\d{17}[0-9X]') then a.id_number
             when a.id_form = 'excel_number' and regexp_full_match(a.id_number, '\d{17}[0-9X]\.0+')
                then substr(a.id_number, 1, 18) end as id_18,
        -- partial evidence: the 18 positions of the number as far as they are known, '_' where they are not. Excel's
        -- trailing .0 keeps every digit; Excel's 15 significant digits lose the last three; a masked number shows
        -- its first 3 and last 4 characters. Compared position by position (int_person_pairs_compared), never a key
        case
            when regexp_full_match(a.id_number, '\d{17}[0-9X]') and coalesce(a.id_form, '') <> 'excel_truncated'
                then a.id_number
            when a.id_form = 'excel_truncated' then substr(a.id_number, 1, 15) || '___'
            when a.id_form = 'excel_number' and regexp_full_match(a.id_number, '\d{17}[0-9X]\.0+')
                then substr(a.id_number, 1, 18)
            when a.id_form = 'masked' and regexp_full_match(a.id_number, '[0-9*]{17}[0-9X*]')
                 and regexp_full_match(a.id_number, '\d{3}.*\d{3}[0-9X]')
                then replace(a.id_number, '*', '_')
        end as id_pattern,
        a.birth_date,
        year(a.birth_date) as birth_year,
        a.sex,
        a.phone,
        ad.address_std as address,
        hk.address_std as hukou_address,
        ad.address_door,
        hk.address_door as hukou_address_door
    from id_checked as a
    left join names as n using (person_name)
    left join addresses as ad on ad.address = a.address
    left join addresses as hk on hk.address = a.hukou_address
),

-- 更正身份证号 (a 重号 re-issued by 公安): the population register holds the corrected number, older systems the
-- former one. A trusted number that no register holds is taken as the former number of a registered one when both
-- share region and birth date (the first 14 digits) and the sex digit's parity, the records of both carry the same
-- name, and exactly one registered number fits. Twins (same birth date and door) differ in name; two registered
-- numbers are two persons and are never joined this way.
registered as (
    select distinct valid_id from id_checked
    where id_trusted and system in {{ register_systems() }}
),

trusted_names as (
    select distinct valid_id, person_name from id_checked where id_trusted and person_name is not null
),

corrections as (
    select former.valid_id as former_id, any_value(current.valid_id) as corrected_id
    from trusted_names as former
    inner join trusted_names as current
        on substr(current.valid_id, 1, 14) = substr(former.valid_id, 1, 14)
        and current.valid_id <> former.valid_id
        and current.person_name = former.person_name
        and try_cast(substr(current.valid_id, 17, 1) as integer) % 2 = try_cast(substr(former.valid_id, 17, 1) as integer) % 2
    where current.valid_id in (select valid_id from registered)
        and former.valid_id not in (select valid_id from registered)
    group by former.valid_id
    having count(distinct current.valid_id) = 1
)

select
    final.*,
    -- the register's number when this record's trusted number is a corrected one's former number (else null)
    case when final.id_trusted then corrections.corrected_id end as corrected_id
from final
left join corrections on corrections.former_id = final.valid_id
