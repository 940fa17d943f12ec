{#- 自住房屋台账: one row per house its 权利人 lives in (or, without a title, a 公房 lived in by a 户籍
    household): 出租情况 = 自住 in rpt_ledger__house_basics. -#}

{{ ledger_select(ref('rpt_ledger__house_basics'), {
    'floor_area_per_resident': 'round(floor_area / resident_count, 2)',
}, where="occupancy = '自住'") }}
