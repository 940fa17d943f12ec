{#- GENERATED from connectors/sources/ps_standard_addresses.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    标准地址库（市公安局）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['ps_standard_addresses']) }}
