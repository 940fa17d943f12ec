{#- 预备党员名册: the persons tagged 预备党员 (no 转正日期 yet). -#}
{{ config(enabled=model_configured('stg_party_organisation__party_members')) }}  {#- one department's roster: built where it is configured -#}


{{ ledger_party_roster('party_probationary_member', with_full_member_on=false) }}
