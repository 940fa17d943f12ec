{#- 标签人数统计表: persons holding each current tag (fct_person_tag_current) per committee, street and district
    of residence (macro ledger_rollup). An area-owned tag (district / street / committee) gets rows only in the areas
    above and below its own area; every city tag in force gets a row (zeros included) in every area. -#}

with profiles as (
    select person_key, district_code, street_code, committee_code
    from {{ ref('dim_person_profile') }}
),

catalogue as (
    select tag_code, tag_name, level as tag_level, area_code as tag_area_code
    from {{ ref('tag_catalogue') }}
    where coalesce(effective_from, {{ earliest_date() }}) <= {{ as_of() }}
        and coalesce(effective_to, {{ latest_date() }}) >= {{ as_of() }}
),

tagged as (
    select
        profiles.district_code,
        profiles.street_code,
        profiles.committee_code,
        tags.tag_code,
        tags.tag_name
    from {{ ref('fct_person_tag_current') }} as tags
    inner join profiles on tags.person_key = profiles.person_key
),

cells as (
    select tag_code, tag_name from catalogue
),

rolled as (
    {{ ledger_rollup(
        base='tagged',
        dimensions=['tag_code', 'tag_name'],
        cells='cells',
        measures=[{'name': 'persons', 'expr': 'count(*)'}]
    ) }}
),

final as (
    select
        cast(rolled.level as varchar) as level,
        cast(rolled.district_code as varchar) as district_code,
        cast(rolled.district_name as varchar) as district_name,
        cast(rolled.street_code as varchar) as street_code,
        cast(rolled.street_name as varchar) as street_name,
        cast(rolled.committee_code as varchar) as committee_code,
        cast(rolled.committee_name as varchar) as committee_name,
        cast(rolled.tag_code as varchar) as tag_code,
        cast(rolled.tag_name as varchar) as tag_name,
        cast(case catalogue.tag_level
            when 'city' then '市级' when 'district' then '区级' when 'street' then '街镇级' when 'committee' then '居委级'
        end as varchar) as tag_level,
        cast(catalogue.tag_area_code as varchar) as tag_area_code,
        cast(rolled.persons as bigint) as persons
    from rolled
    left join catalogue on rolled.tag_code = catalogue.tag_code
    -- an area-owned tag only where its area and the row's area overlap (a row with persons is always kept)
    where catalogue.tag_level is null
        or catalogue.tag_level = 'city'
        or starts_with(rolled.area_code, catalogue.tag_area_code)
        or starts_with(catalogue.tag_area_code, rolled.area_code)
        or rolled.persons > 0
)

select * from final
