{#- 自住房屋台账: one row per house its 权利人 lives in (or, without a title, a 公房 lived in by a 户籍
    household): 出租情况 = 自住 in rpt_ledger__house_basics. -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, house_type, certificate_no, floor_area, owner_person_key, owner_name,
        owner_id_number, owner_phone, resident_count, hukou_count
    from {{ ref('rpt_ledger__house_basics') }}
    where occupancy = '自住'
),

final as (
    select
        cast(district_code as varchar) as district_code,
        cast(district_name as varchar) as district_name,
        cast(street_code as varchar) as street_code,
        cast(street_name as varchar) as street_name,
        cast(committee_code as varchar) as committee_code,
        cast(committee_name as varchar) as committee_name,
        cast(house_key as varchar) as house_key,
        cast(compound_name as varchar) as compound_name,
        cast(address as varchar) as address,
        cast(house_type as varchar) as house_type,
        cast(certificate_no as varchar) as certificate_no,
        cast(floor_area as decimal(10, 2)) as floor_area,
        cast(owner_person_key as varchar) as owner_person_key,
        cast(owner_name as varchar) as owner_name,
        cast(owner_id_number as varchar) as owner_id_number,
        cast(owner_phone as varchar) as owner_phone,
        cast(resident_count as bigint) as resident_count,
        cast(hukou_count as bigint) as hukou_count,
        cast(round(floor_area / resident_count, 2) as decimal(10, 2)) as floor_area_per_resident
    from houses
)

select * from final
