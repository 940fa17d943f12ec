{#- GENERATED from connectors/sources/ha_property.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    房屋权属登记系统（市房屋管理局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ha_property",
    "model": "stg_housing_administration__property_titles",
    "primary_key": ["certificate_no"],
    "row_key": "",
    "fields": [
        {"column": "certificate_no", "name": "certificate_no", "kind": "identifier", "raw": false, "raw_name": "certificate_no_raw", "halfwidth": true},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "owner_name", "name": "owner_name", "kind": "person_name", "raw": true, "raw_name": "owner_name_raw"},
        {"column": "owner_id_number", "name": "owner_id_number", "kind": "id_number", "raw": true, "prefix": "owner_", "raw_name": "owner_id_number_raw"},
        {"column": "co_ownership", "name": "co_ownership", "kind": "text", "raw": false, "raw_name": "co_ownership_raw"},
        {"column": "house_type", "name": "house_type", "kind": "text", "raw": false, "raw_name": "house_type_raw"},
        {"column": "floor_area", "name": "floor_area", "kind": "decimal", "raw": false, "raw_name": "floor_area_raw", "type": "decimal(10, 2)"},
        {"column": "usage", "name": "usage", "kind": "text", "raw": false, "raw_name": "usage_raw"},
        {"column": "registered_on", "name": "registered_on", "kind": "date", "raw": true, "raw_name": "registered_on_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": false, "sex": false, "month_precision": false}
}) }}
