-- comparison levels of every candidate pair (-1 = a value missing on one side: no evidence)
with

pairs as (
    select * from {{ ref('int_person_pairs_blocked') }}
),

keyed as (
    select * from {{ ref('int_person_records_keyed') }}
),

joined as (
    select
        p.*,
        l.person_name as name_l, r.person_name as name_r,
        l.name_pinyin as pinyin_l, r.name_pinyin as pinyin_r,
        l.name_chars_sorted as chars_l, r.name_chars_sorted as chars_r,
        l.birth_date as birth_l, r.birth_date as birth_r,
        l.sex as sex_l, r.sex as sex_r,
        l.phone as phone_l, r.phone as phone_r,
        l.address as address_l, r.address as address_r,
        l.hukou_address as hukou_l, r.hukou_address as hukou_r,
        l.address_door as door_l, r.address_door as door_r,
        l.hukou_address_door as hukou_door_l, r.hukou_address_door as hukou_door_r,
        l.id_18 as id_l, r.id_18 as id_r,
        l.id_pattern as id_pattern_l, r.id_pattern as id_pattern_r
    from pairs as p
    inner join keyed as l on l.record_person_key = p.record_person_key_a
    inner join keyed as r on r.record_person_key = p.record_person_key_b
),

compared as (
    select
        record_person_key_a,
        record_person_key_b,
        blocking_rules,
        is_random_sample,
        case
            when name_l is null or name_r is null then -1
            when name_l = name_r then 4
            when pinyin_l = pinyin_r then 3
            when chars_l = chars_r then 2
            -- one character dropped from a name of 3+ characters (DuckDB's levenshtein counts bytes: a CJK
            -- character is 3); a changed character in a two-character name is another person too often
            when abs(length(name_l) - length(name_r)) = 1 and least(length(name_l), length(name_r)) >= 2
                 and levenshtein(name_l, name_r) <= 3 then 1
            else 0
        end as name_level,
        case
            when birth_l is null or birth_r is null then -1
            when birth_l = birth_r then 3
            when year(birth_l) = year(birth_r) and month(birth_l) = day(birth_r) and day(birth_l) = month(birth_r) then 2
            when (year(birth_l) = year(birth_r))::int + (month(birth_l) = month(birth_r))::int
                 + (day(birth_l) = day(birth_r))::int = 2 then 1
            else 0
        end as birth_date_level,
        case
            when sex_l is null or sex_r is null then -1
            when sex_l = sex_r then 1
            else 0
        end as sex_level,
        case
            when phone_l is null or phone_r is null then -1
            when phone_l = phone_r then 1
            else 0
        end as phone_level,
        case
            when coalesce(address_l, hukou_l) is null or coalesce(address_r, hukou_r) is null then -1
            when address_l = address_r or address_l = hukou_r or hukou_l = address_r or hukou_l = hukou_r then 2
            when door_l = door_r or door_l = hukou_door_r or hukou_door_l = door_r or hukou_door_l = hukou_door_r then 1
            else 0
        end as address_level,
        case
            when id_pattern_l is null or id_pattern_r is null then -1
            when id_pattern_l = id_pattern_r and not contains(id_pattern_l, '_') then 2
            -- a number known in part (Excel's lost last digits, a masked one) against another: agreeing on every
            -- known position is evidence, weaker when the mask hides the birth date and sequence (level 1)
            when (contains(id_pattern_l, '_') or contains(id_pattern_r, '_'))
                 and list_bool_and(list_transform(range(1, 19), i -> substr(id_pattern_l, i, 1) = '_'
                    or substr(id_pattern_r, i, 1) = '_' or substr(id_pattern_l, i, 1) = substr(id_pattern_r, i, 1)))
                then case when length(replace(id_pattern_l, '_', '')) >= 15 and length(replace(id_pattern_r, '_', '')) >= 15
                          then 2 else 1 end
            -- one typo (a digit changed, two adjacent digits swapped) in two full 18-character numbers leaves at
            -- least one of the three 6-digit segments intact: that cheap test spares damerau_levenshtein (DuckDB's
            -- costliest function here) nearly every random pair
            when not contains(id_pattern_l, '_') and not contains(id_pattern_r, '_')
                 and (substr(id_pattern_l, 1, 6) = substr(id_pattern_r, 1, 6)
                      or substr(id_pattern_l, 7, 6) = substr(id_pattern_r, 7, 6)
                      or substr(id_pattern_l, 13, 6) = substr(id_pattern_r, 13, 6))
                 and damerau_levenshtein(id_pattern_l, id_pattern_r) <= 1 then 1
            else 0
        end as id_level
    from joined
)

select * from compared
