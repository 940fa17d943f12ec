{#- GENERATED from connectors/sources/ca_elderly_allowance.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    老年综合津贴发放系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ca_elderly_allowance']) }}
