{#- 九十岁以上老人名册: the persons tagged 90岁以上 (elderly_90). -#}

{{ ledger_elderly_roster(tag_code='elderly_90') }}
