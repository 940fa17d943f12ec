{#- 农民自建房台账: one row per house whose title gives 房屋类型 农民自建房 (rural 宅基地 houses, 村/组/号). -#}

{{ ledger_select(ref('rpt_ledger__house_basics'), where="house_type = '农民自建房'") }}
