{#- 高龄老人名册: the persons tagged 80岁以上 (elderly_80). -#}

{{ ledger_elderly_roster(tag_code='elderly_80') }}
