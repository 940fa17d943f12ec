{#- GENERATED from connectors/sources/ca_tekun.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    特困人员供养系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ca_tekun']) }}
