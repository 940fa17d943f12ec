{#- 公房租赁台账: one row per house without a property title (房屋类型 无产权登记 in rpt_ledger__house_basics).
    公房租赁 houses are state-owned and carry no 不动产权证, so the title register does not name them; a titled
    house whose title the register lacks would appear here too. -#}

with houses as (
    select
        district_code, district_name, street_code, street_name, committee_code, committee_name, house_key,
        compound_name, address, road, lane, sub_lane, number, building, room, resident_count, resident_names,
        hukou_count, occupancy, last_resident_left_on
    from {{ ref('rpt_ledger__house_basics') }}
    where house_type = '无产权登记'
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
        cast(road as varchar) as road,
        cast(lane as integer) as lane,
        cast(sub_lane as integer) as sub_lane,
        cast(number as integer) as number,
        cast(building as integer) as building,
        cast(room as integer) as room,
        cast(resident_count as bigint) as resident_count,
        cast(resident_names as varchar) as resident_names,
        cast(hukou_count as bigint) as hukou_count,
        cast(occupancy as varchar) as occupancy,
        cast(last_resident_left_on as date) as last_resident_left_on
    from houses
)

select * from final
