{#- GENERATED from connectors/sources/po_party_members.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    党员信息管理系统（市委组织部）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['po_party_members']) }}
