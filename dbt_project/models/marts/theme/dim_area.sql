{#- 区域层级: district -> street (街镇) -> committee (居村委) from the 民政 区划名录, compound (小区) -> building from the
    公安 标准地址库; committee rows carry the 居委会 contact (office, phone, mailbox) for delivering ledgers. -#}

with divisions as (
    select
        division_code, division_name, division_level, parent_code, division_type, office_address, phone, email
    from {{ ref('stg_civil_affairs__divisions') }}
),

register as (
    select
        address_code, standard_address, district_code, street_code, committee_code, compound_name, road, lane,
        sub_lane, number, building, village_group
    from {{ ref('stg_public_security__standard_addresses') }}
),

division_areas as (
    select
        division_code as code,
        division_level as level,
        division_name as name,
        -- the districts are the roots (the 名录 gives 310100 市辖区, not an area of this hierarchy)
        case when division_level <> 'district' then parent_code end as parent_code,
        division_type as area_type,
        left(division_code, 6) as district_code,
        case when length(division_code) >= 9 then left(division_code, 9) end as street_code,
        case when length(division_code) = 12 then division_code end as committee_code,
        office_address,
        phone,
        email,
        cast(null as varchar) as address
    from divisions
),

-- 地址编码 = 小区 code (14 digits: committee + 2) + building serial (4)
compounds as (
    select
        'C' || left(address_code, 14) as code,
        'compound' as level,
        min(compound_name) as name,
        min(committee_code) as parent_code,
        case when bool_and(road is null) then '村' else '小区' end as area_type,
        min(district_code) as district_code,
        min(street_code) as street_code,
        min(committee_code) as committee_code
    from register
    group by left(address_code, 14)
),

buildings as (
    select
        address_code as code,
        'building' as level,
        case
            when road is null then coalesce(village_group || '组', '') || coalesce(number || '号', '')
            else coalesce(number || '号', '') || coalesce(building || '号楼', '')
        end as name,
        'C' || left(address_code, 14) as parent_code,
        '楼' as area_type,
        district_code,
        street_code,
        committee_code,
        standard_address as address
    from register
),

unioned as (
    select * from division_areas
    union all by name
    select * from compounds
    union all by name
    select * from buildings
),

final as (
    select
        cast(code as varchar) as code,
        cast(level as varchar) as level,
        cast(name as varchar) as name,
        cast(parent_code as varchar) as parent_code,
        cast(area_type as varchar) as area_type,
        cast(district_code as varchar) as district_code,
        cast(street_code as varchar) as street_code,
        cast(committee_code as varchar) as committee_code,
        cast(office_address as varchar) as office_address,
        cast(phone as varchar) as phone,
        cast(email as varchar) as email,
        cast(address as varchar) as address
    from unioned
)

select * from final
