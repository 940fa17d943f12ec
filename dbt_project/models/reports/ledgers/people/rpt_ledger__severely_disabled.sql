{#- 重度残疾人名册: the persons tagged 一级残疾 or 二级残疾. -#}

{{ ledger_disabled_roster(['disabled_grade_1', 'disabled_grade_2']) }}
