{#- 党员名册: the persons tagged 正式党员. -#}

{{ ledger_party_roster('party_full_member') }}
