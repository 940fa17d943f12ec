{#- 残疾人台账: the persons tagged 残疾人 (持证残疾人, living). -#}
{{ config(enabled=model_configured('stg_disabled_persons_federation__disabled_persons')) }}  {#- one department's roster: built where it is configured -#}


{{ ledger_disabled_roster('disabled') }}
