{#- 独居老人台账: living residents tagged 独居老人 (aged 60+, the only living resident of their house), with the
    高龄老人名册 columns, 老年综合津贴, and their visits (最近探访日期, 探访频次) - macro ledger_care_roster. -#}

with roster as (
    {{ ledger_care_roster('elderly_living_alone') }}
)

{{ ledger_select('roster') }}
