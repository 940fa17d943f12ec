{#- 动迁安置房台账: one row per house whose title gives 房屋类型 动迁安置房 (rpt_ledger__house_basics). -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, certificate_no, title_registered_on, floor_area, usage, co_ownership,
        owner_person_key, owner_name, owner_id_number, owner_phone, owner_lives_here, resident_count, hukou_count,
        occupancy
    from {{ ref('rpt_ledger__house_basics') }}
    where house_type = '动迁安置房'
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
        cast(certificate_no as varchar) as certificate_no,
        cast(title_registered_on as date) as title_registered_on,
        cast(floor_area as decimal(10, 2)) as floor_area,
        cast(usage as varchar) as usage,
        cast(co_ownership as varchar) as co_ownership,
        cast(owner_person_key as varchar) as owner_person_key,
        cast(owner_name as varchar) as owner_name,
        cast(owner_id_number as varchar) as owner_id_number,
        cast(owner_phone as varchar) as owner_phone,
        cast(owner_lives_here as boolean) as owner_lives_here,
        cast(resident_count as bigint) as resident_count,
        cast(hukou_count as bigint) as hukou_count,
        cast(occupancy as varchar) as occupancy
    from houses
)

select * from final
