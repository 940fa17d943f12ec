{#- GENERATED from connectors/sources/ca_dibao.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    最低生活保障信息系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ca_dibao']) }}
