{#- GENERATED from connectors/sources/dpf_disability.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    残疾人人口基础信息系统（市残联）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['dpf_disability']) }}
