{#- 残疾人台账: the persons tagged 残疾人 (持证残疾人, living). -#}

{{ ledger_disabled_roster('disabled') }}
