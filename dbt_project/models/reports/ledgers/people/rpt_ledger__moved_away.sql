{#- 迁出人员台账: 迁出注销 in the 12 months up to as_of. -#}

{{ ledger_deregistered('moved_away') }}
