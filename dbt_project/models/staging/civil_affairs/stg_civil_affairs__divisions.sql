{#- GENERATED from connectors/sources/ca_divisions.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    行政区划与居村委会名录（市民政局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ca_divisions']) }}
