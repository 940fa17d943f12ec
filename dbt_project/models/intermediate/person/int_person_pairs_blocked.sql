-- candidate pairs for probabilistic matching: a record without a trusted ID (missing, invalid or
-- contradicted) against every record sharing one blocking key with it; plus a fixed random sample of
-- pairs (is_random_sample) from which the u probabilities are estimated
{% set max_block = var('person_block_max_size', 2000) %}
{% set max_name_block = var('person_name_block_max_size', 30) %}
{% set max_surname_door_block = var('person_surname_door_block_max_size', 200) %}
{% set random_n = var('person_random_sample_records', 1000) %}
{#- the blocking rules in name order: a pair's rules are aggregated as a bit mask (cheap at city scale, where a
    string_agg(distinct ...) per pair sorts tens of millions of small lists) and spelled out once -#}
{% set rules = ['birth_date_surname', 'id_birth_sequence', 'id_region_birth', 'id_region_sequence_surname', 'name_door',
                'phone', 'pinyin_birth_year', 'rare_name', 'surname_door'] %}
with

keyed as (
    select * from {{ ref('int_person_records_keyed') }}
),

-- not materialized: read twice below, and recomputing it from keyed is cheaper than writing its rows (31 million at
-- 1M persons) out once
block_keys as not materialized (
    -- same birth date and surname (the ID may be broken anywhere else). A key's records grow with the city, and the
    -- candidate rows with its square, so each key must hold a small share of it: a birth date alone (or a region
    -- and sequence number alone) gave 1.26 billion rows at 5M persons, counted on the generated city's truth; with
    -- the surname 56 million. At 25M that is still about 1.4 billion: a district or street would be next
    select record_person_key, id_trusted, 'birth_date_surname' as rule,
        strftime(birth_date, '%Y%m%d') || '|' || surname_pinyin as block_key
    from keyed where birth_date is not null and surname_pinyin is not null
    union all
    -- an ID number one typo away keeps at least one of these three segments intact (region + sequence with the
    -- surname, see above: 854 million rows alone at 5M, 44 million with it)
    select record_person_key, id_trusted, 'id_region_birth', substr(id_18, 1, 14) from keyed where id_18 is not null
    union all
    select record_person_key, id_trusted, 'id_birth_sequence', substr(id_18, 7, 11) from keyed where id_18 is not null
    union all
    select record_person_key, id_trusted, 'id_region_sequence_surname',
        substr(id_18, 1, 6) || substr(id_18, 15, 3) || '|' || surname_pinyin
    from keyed where id_18 is not null and surname_pinyin is not null
    union all
    select record_person_key, id_trusted, 'phone', phone from keyed where phone is not null
    union all
    select record_person_key, id_trusted, 'pinyin_birth_year', name_pinyin || '|' || birth_year
    from keyed where name_pinyin is not null and birth_year is not null
    union all
    -- same name (by reading) at the same door: records without birth date or ID (visits)
    select record_person_key, id_trusted, 'name_door', name_pinyin || '|' || address_door
    from keyed where name_pinyin is not null and address_door is not null
    union all
    select record_person_key, id_trusted, 'name_door', name_pinyin || '|' || hukou_address_door
    from keyed where name_pinyin is not null and hukou_address_door is not null
    union all
    -- same surname at the same door (a character dropped or swapped): doors repeat across compounds, so
    -- this key is capped lower
    select record_person_key, id_trusted, 'surname_door', surname_pinyin || '|' || address_door
    from keyed where surname_pinyin is not null and address_door is not null
    union all
    select record_person_key, id_trusted, 'surname_door', surname_pinyin || '|' || hukou_address_door
    from keyed where surname_pinyin is not null and hukou_address_door is not null
    union all
    -- a rare name alone (e.g. a visit record at a stale address): only names carried by few records
    select record_person_key, id_trusted, 'rare_name', name_pinyin from keyed where name_pinyin is not null
),

untrusted_keys as (
    -- only a key some record without a trusted ID carries can pair anything: the keys of trusted records alone are
    -- dropped before anything is counted (at 1M persons 93% of the records are trusted)
    select distinct rule, block_key from block_keys where not id_trusted
),

candidate_keys as (
    select b.* from block_keys as b semi join untrusted_keys using (rule, block_key)
),

usable_keys as (
    -- a safety valve at city scale: a key shared by too many records blocks nothing
    select rule, block_key
    from candidate_keys
    group by rule, block_key
    having count(*) between 2 and case rule
            when 'rare_name' then {{ max_name_block }}
            when 'surname_door' then {{ max_surname_door_block }}
            else {{ max_block }} end
),

keyed_blocks as (
    select c.*
    from candidate_keys as c
    semi join usable_keys using (rule, block_key)
),

blocked as (
    select
        least(l.record_person_key, r.record_person_key) as record_person_key_a,
        greatest(l.record_person_key, r.record_person_key) as record_person_key_b,
        case l.rule
            {% for rule in rules %}when '{{ rule }}' then {{ 2 ** loop.index0 }}
            {% endfor %}end as rule_bit
    from keyed_blocks as l
    inner join keyed_blocks as r
        on l.rule = r.rule
        and l.block_key = r.block_key
        and l.record_person_key <> r.record_person_key
    where not l.id_trusted
),

blocked_masks as (
    select record_person_key_a, record_person_key_b, bit_or(rule_bit) as rule_mask
    from blocked
    group by record_person_key_a, record_person_key_b
),

blocked_pairs as (
    select
        record_person_key_a,
        record_person_key_b,
        concat_ws(',',
            {% for rule in rules %}case when rule_mask & {{ 2 ** loop.index0 }} <> 0 then '{{ rule }}' end{{ ',' if not loop.last }}
            {% endfor %}) as blocking_rules,
        false as is_random_sample
    from blocked_masks
),

sample_a as (
    select record_person_key from keyed order by hash(record_person_key || ':a') limit {{ random_n }}
),

sample_b as (
    select record_person_key from keyed order by hash(record_person_key || ':b') limit {{ random_n }}
),

random_pairs as (
    -- distinct: a record drawn into both samples makes the same pair twice
    select distinct
        least(a.record_person_key, b.record_person_key) as record_person_key_a,
        greatest(a.record_person_key, b.record_person_key) as record_person_key_b,
        'random' as blocking_rules,
        true as is_random_sample
    from sample_a as a
    cross join sample_b as b
    where a.record_person_key <> b.record_person_key
),

final as (
    select * from blocked_pairs
    union all
    select * from random_pairs
)

select * from final
