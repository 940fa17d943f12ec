{#- 走访记录: one row per visit of the committees' system (cc_visits), linked to the resolved person and to the
    household visited. The household is the person's residence house (dim_person, the golden 居住地址): a visit's
    own address may be stale (the person moved, the committee's card did not), so it is only the fallback when the
    person has no residence house. -#}

with visits as (
    select
        record_key, visit_id, cast(visited_on as date) as visited_on, visitor_name, visitor_department, method,
        situation, appeal, follow_up, committee_code as record_committee_code, person_name, id_number, address
    from {{ ref('stg_community_committees__visits') }}
),

linked as (
    -- a visit names one person (role subject)
    select record_key, person_key, residence_house_key as address_house_key
    from {{ ref('fct_person_source_records') }}
    where system = 'cc_visits'
),

persons as (
    select person_key, residence_house_key from {{ ref('dim_person') }}
),

houses as (
    select house_key, district_code, street_code, committee_code from {{ ref('dim_house') }}
),

committees as (
    select code, district_code, street_code from {{ ref('dim_area') }} where level = 'committee'
),

placed as (
    select
        visits.*,
        linked.person_key,
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
