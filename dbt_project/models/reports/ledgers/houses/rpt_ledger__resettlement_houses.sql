{#- 动迁安置房台账: one row per house whose title gives 房屋类型 动迁安置房 (rpt_ledger__house_basics). -#}

{{ ledger_select(ref('rpt_ledger__house_basics'), where="house_type = '动迁安置房'") }}
