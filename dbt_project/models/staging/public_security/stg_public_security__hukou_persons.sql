{#- GENERATED from connectors/sources/ps_hukou.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    户籍人口信息系统（市公安局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ps_hukou']) }}
