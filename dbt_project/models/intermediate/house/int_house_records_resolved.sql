{#- Every collected address of every record mapped to its house (house_key null when the address names no door).
    A 小区-name address that the register could not place (a 里弄 whose 支弄 repeat their 号: 新安小区5号) takes the
    house of the same 小区, 号 and 号楼 that another record of the same valid ID number names as residence or 户籍
    address, when there is exactly one such house (resolution same_id_house); without an ID, of the same person name
    (resolution same_name_house). -#}

with collected as (
    select * from {{ ref('int_addresses_collected') }}
),

resolved as (
    select * from {{ ref('int_addresses_resolved') }}
),

records as (
    select
        collected.*,
        resolved.house_key,
        resolved.resolution,
        resolved.district_source,
        resolved.compound_name,
        resolved.number,
        resolved.building
    from collected
    left join resolved
        on collected.address = resolved.address
        and collected.committee_code is not distinct from resolved.committee_code
),

person_houses as (
    select distinct id_number, person_name, house_key, compound_name, number, building
    from records
    where address_role in ('residence', 'hukou', 'family')
        and resolution <> 'unplaced_compound'
        and house_key is not null
        and compound_name is not null
),

unplaced as (
    select * from records where resolution = 'unplaced_compound'
),

{% for by, rule in [('id_number', 'same_id_house'), ('person_name', 'same_name_house')] %}
{{ rule }}s as (
    select unplaced.record_address_key, any_value(person_houses.house_key) as house_key
    from unplaced
    inner join person_houses
        on unplaced.{{ by }} = person_houses.{{ by }}
        and unplaced.compound_name = person_houses.compound_name
        and unplaced.number = person_houses.number
        and unplaced.building is not distinct from person_houses.building
    group by unplaced.record_address_key
    having count(distinct person_houses.house_key) = 1
),
{% endfor %}

final as (
    select
        records.record_key,
        records.system,
        records.address_role,
        records.names_record_house,
        records.address,
        records.committee_code,
        coalesce(same_id_houses.house_key, same_name_houses.house_key, records.house_key) as house_key,
        case
            when same_id_houses.house_key is not null then 'same_id_house'
            when same_name_houses.house_key is not null then 'same_name_house'
            else records.resolution
        end as resolution,
        records.district_source
    from records
    left join same_id_houses on records.record_address_key = same_id_houses.record_address_key
    left join same_name_houses on records.record_address_key = same_name_houses.record_address_key
)

select * from final
