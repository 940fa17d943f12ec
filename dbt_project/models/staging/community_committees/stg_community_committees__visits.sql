{#- GENERATED from connectors/sources/cc_visits.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    社区走访记录(社区云)（居(村)委会）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['cc_visits']) }}
