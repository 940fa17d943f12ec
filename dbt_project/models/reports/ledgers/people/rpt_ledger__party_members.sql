{#- 党员名册: the persons tagged 正式党员. -#}
{{ config(enabled=model_configured('stg_party_organisation__party_members')) }}  {#- one department's roster: built where it is configured -#}


{{ ledger_party_roster('party_full_member') }}
