{#- GENERATED from connectors/sources/ps_population.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    实有人口信息系统（市公安局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ps_population']) }}
