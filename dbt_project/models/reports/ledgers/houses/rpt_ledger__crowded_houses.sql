{#- 居住人数较多房屋台账: one row per house with at least var('crowded_house_min_residents') (default 6) living
    residents (实住人数 of rpt_ledger__house_basics), with the floor area per resident for the 群租 check. -#}

{{ ledger_select(ref('rpt_ledger__house_basics'), {
    'floor_area_per_resident': 'round(floor_area / resident_count, 2)',
}, where='resident_count >= ' ~ var('crowded_house_min_residents', 6)) }}
