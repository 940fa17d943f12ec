{#- 重度残疾人名册: the persons tagged 一级残疾 or 二级残疾. -#}
{{ config(enabled=model_configured('stg_disabled_persons_federation__disabled_persons')) }}  {#- one department's roster: built where it is configured -#}


{{ ledger_disabled_roster(['disabled_grade_1', 'disabled_grade_2']) }}
