{#- GENERATED from connectors/sources/ca_low_income.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    低收入困难家庭认定系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ca_low_income']) }}
