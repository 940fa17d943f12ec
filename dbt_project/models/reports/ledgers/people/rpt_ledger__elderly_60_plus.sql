{#- 60岁以上老年人花名册: living persons aged 60 or more at as_of (no tag defines 60+; the rule is the profile's). -#}

{{ ledger_elderly_roster(min_age=60) }}
