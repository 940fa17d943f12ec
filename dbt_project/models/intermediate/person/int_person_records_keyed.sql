-- person records with the keys resolution needs: trusted ID, ID segments, pinyin, standardised address and door
with

records as (
    select * from {{ ref('int_person_records') }}
),

names as (
    select * from {{ ref('int_person_names_romanised') }}
),

id_checked as (
    select
        records.*,
        case when id_valid then id_number end as valid_id,
        -- a valid ID whose birth date or sex contradicts the record's own is not trusted as a key
        id_valid
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
        -- an 18-character number of digits (valid or not: a wrong check digit or Excel's lost last digits still
        -- carry region, birth date and sequence for blocking); a starred (masked) number is no blocking key
        case when regexp_full_match(a.id_number, '\d{17}[0-9X]') then a.id_number end as id_18,
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
)

select * from final
