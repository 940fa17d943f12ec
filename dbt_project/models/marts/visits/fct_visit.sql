{#- 走访记录: one row per visit of every visit log (resolution.visits of the connector YAMLs; the committees' cc_visits
    in the demo city), linked to the resolved person and to the
    household visited. The household is the person's residence house (dim_person, the golden 居住地址): a visit's
    own address may be stale (the person moved, the committee's card did not), so it is only the fallback when the
    person has no residence house.
    A visit without a valid ID number whose address is stale cannot be linked by the person resolution (name and a
    wrong address agree with nobody): it stays a person of its own, made of visit records only. Such a visit is
    attached to the one living person of the same name who lives in the visit's committee, when there is exactly
    one (link_method = 'name_in_committee'); likewise a visit whose name has a typing slip (one character missing
    or two swapped) to the one living resident of its address house whose name is one edit away
    ('similar_name_in_house'). resolved_person_key keeps what the resolution said. -#}

with visits as (
    -- every visit log (the connector YAMLs' resolution.visits: the committees' 走访记录 and any other)
    {{ visit_records() }}
),

resolved as (
    -- a visit names one person (role subject)
    select record_key, person_key, residence_house_key as address_house_key, id_valid
    from {{ ref('fct_person_source_records') }}
    where system in {{ visit_systems() }}
),

-- persons the resolution made of visit records only
visit_only_persons as (
    select person_key
    from {{ ref('fct_person_source_records') }}
    group by person_key
    having bool_and(system in {{ visit_systems() }})
),

persons as (
    select person_key, name, status, residence_house_key from {{ ref('dim_person') }}
),

houses as (
    select house_key, district_code, street_code, committee_code from {{ ref('dim_house') }}
),

-- living persons known to other systems, with their residence house and committee
known_residents as (
    select persons.person_key, persons.name, persons.residence_house_key, houses.committee_code
    from persons
    inner join houses on persons.residence_house_key = houses.house_key
    where persons.status = 'living'
        and persons.person_key not in (select person_key from visit_only_persons)
),

unlinked_visits as (
    select visits.record_key, visits.person_name, visits.record_committee_code, resolved.address_house_key
    from visits
    inner join resolved on visits.record_key = resolved.record_key
    inner join visit_only_persons on resolved.person_key = visit_only_persons.person_key
    where not coalesce(resolved.id_valid, false)
),

relink_candidates as (
    -- the same name in the visit's committee (the address is stale)
    select unlinked_visits.record_key, known_residents.person_key, 'name_in_committee' as link_method
    from unlinked_visits
    inner join known_residents
        on unlinked_visits.person_name = known_residents.name
        and unlinked_visits.record_committee_code = known_residents.committee_code
    union all
    -- the same house, the name one typing slip away (a character missing or two swapped)
    select unlinked_visits.record_key, known_residents.person_key, 'similar_name_in_house'
    from unlinked_visits
    inner join known_residents on unlinked_visits.address_house_key = known_residents.residence_house_key
    where
        -- one character missing (DuckDB's levenshtein counts bytes, not characters)
        (length(known_residents.name) = length(unlinked_visits.person_name) + 1
            and list_contains(
                list_transform(range(1, length(known_residents.name) + 1),
                    i -> substring(known_residents.name, 1, i - 1) || substring(known_residents.name, i + 1)),
                unlinked_visits.person_name))
        -- two characters swapped
        or (length(known_residents.name) = length(unlinked_visits.person_name)
            and list_sort(string_split(known_residents.name, '')) = list_sort(string_split(unlinked_visits.person_name, ''))
            and length(list_filter(range(1, length(known_residents.name) + 1),
                i -> substring(known_residents.name, i, 1) <> substring(unlinked_visits.person_name, i, 1))) = 2)
),

relinked as (
    -- only an unambiguous person
    select record_key, min(person_key) as person_key, min(link_method) as link_method
    from relink_candidates
    group by record_key
    having count(distinct person_key) = 1
),

linked as (
    select
        resolved.record_key,
        coalesce(relinked.person_key, resolved.person_key) as person_key,
        resolved.person_key as resolved_person_key,
        resolved.address_house_key,
        case
            when relinked.person_key is not null then relinked.link_method
            when resolved.person_key is not null then 'resolution'
        end as link_method
    from resolved
    left join relinked on resolved.record_key = relinked.record_key
),

committees as (
    select code, district_code, street_code from {{ ref('dim_area') }} where level = 'committee'
),

placed as (
    select
        visits.*,
        linked.person_key,
        linked.resolved_person_key,
        linked.link_method,
        linked.address_house_key,
        coalesce(persons.residence_house_key, linked.address_house_key) as house_key,
        case
            when persons.residence_house_key is not null then 'person_residence'
            when linked.address_house_key is not null then 'visit_address'
        end as house_source
    from visits
    left join linked on visits.record_key = linked.record_key
    left join persons on linked.person_key = persons.person_key
),

final as (
    select
        cast(placed.record_key as varchar) as visit_key,
        cast(placed.visit_id as varchar) as visit_id,
        cast(placed.visited_on as date) as visited_on,
        cast(placed.visitor_name as varchar) as visitor_name,
        cast(placed.visitor_department as varchar) as visitor_department,
        cast(placed.method as varchar) as method,
        cast(placed.situation as varchar) as situation,
        cast(placed.appeal as varchar) as appeal,
        cast(placed.follow_up as boolean) as follow_up,
        cast(placed.person_key as varchar) as person_key,
        cast(placed.house_key as varchar) as house_key,
        -- the visited house's area when the house is placed in a committee, else the record's committee
        cast(case when houses.committee_code is not null then houses.district_code else committees.district_code end
            as varchar) as district_code,
        cast(case when houses.committee_code is not null then houses.street_code else committees.street_code end
            as varchar) as street_code,
        cast(coalesce(houses.committee_code, placed.record_committee_code) as varchar) as committee_code,
        cast(date_trunc('month', placed.visited_on) as date) as visit_month,
        cast(date_trunc('week', placed.visited_on) as date) as visit_week,
        cast(placed.house_source as varchar) as house_source,
        cast(placed.resolved_person_key as varchar) as resolved_person_key,
        cast(placed.link_method as varchar) as link_method,
        cast(placed.address_house_key as varchar) as address_house_key,
        cast(placed.record_committee_code as varchar) as record_committee_code,
        cast(placed.person_name as varchar) as person_name,
        cast(placed.id_number as varchar) as id_number,
        cast(placed.address as varchar) as address
    from placed
    left join houses on placed.house_key = houses.house_key
    left join committees on placed.record_committee_code = committees.code
)

select * from final
