{#- GENERATED from connectors/sources/ed_graduates.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    高校毕业生信息系统（市教育委员会）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ed_graduates']) }}
