{#- GENERATED from connectors/sources/va_veterans.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    退役军人信息管理系统（市退役军人事务局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['va_veterans']) }}
