{#- Every collected address of every record mapped to its house (house_key null when the address names no door). -#}

with collected as (
    select * from {{ ref('int_addresses_collected') }}
),

resolved as (
    select * from {{ ref('int_addresses_resolved') }}
),

final as (
    select
        collected.record_key,
        collected.system,
        collected.address_role,
        collected.names_record_house,
        collected.address,
        collected.committee_code,
        resolved.house_key,
        resolved.resolution,
        resolved.district_source
    from collected
    left join resolved
        on collected.address = resolved.address
        and collected.committee_code is not distinct from resolved.committee_code
)

select * from final
