{#- Each distinct address string parsed once (parse_address), the district name mapped to today's code. -#}

with collected as (
    select distinct address from {{ ref('int_addresses_collected') }}
),

district_aliases as (
    select alias, district_code, alias_kind from {{ ref('ref_district_aliases') }}
),

parsed as (
    select address, {{ parse_address('address') }} as parts
    from collected
),

unnested as (
    select address, unnest(parts)
    from parsed
),

final as (
    select
        unnested.address,
        unnested.has_city,
        unnested.district_alias,
        district_aliases.district_code,
        district_aliases.alias_kind as district_alias_kind,
        unnested.street_name,
        unnested.place,
        unnested.place_kind,
        unnested.lane,
        unnested.sub_lane,
        unnested.number,
        unnested.building,
        unnested.building_unit,
        unnested.floor,
        unnested.room,
        unnested.village_group
    from unnested
    left join district_aliases on unnested.district_alias = district_aliases.alias
)

select * from final
