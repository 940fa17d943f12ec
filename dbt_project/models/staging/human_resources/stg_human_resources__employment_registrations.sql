{#- GENERATED from connectors/sources/hr_employment.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    就业失业登记系统（市人力资源社会保障局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['hr_employment']) }}
