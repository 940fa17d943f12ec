{#- 百岁老人名册: the persons tagged 百岁老人 (centenarian). -#}

{{ ledger_elderly_roster(tag_code='centenarian') }}
