{#- 死亡注销人员台账: 死亡注销 in the 12 months up to as_of. -#}

{{ ledger_deregistered('deceased') }}
