{#- GENERATED from connectors/sources/ha_property.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    房屋权属登记系统（市房屋管理局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ha_property']) }}
