{#- GENERATED from connectors/sources/ps_standard_addresses.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    标准地址库（市公安局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ps_standard_addresses",
    "model": "stg_public_security__standard_addresses",
    "primary_key": ["address_code"],
    "row_key": "",
    "fields": [
        {"column": "address_code", "name": "address_code", "kind": "code", "raw": false, "raw_name": "address_code_raw"},
        {"column": "standard_address", "name": "standard_address", "kind": "text", "raw": false, "raw_name": "standard_address_raw"},
        {"column": "district_code", "name": "district_code", "kind": "code", "raw": false, "raw_name": "district_code_raw"},
        {"column": "district_name", "name": "district_name", "kind": "text", "raw": false, "raw_name": "district_name_raw"},
        {"column": "street_code", "name": "street_code", "kind": "identifier", "raw": false, "raw_name": "street_code_raw", "halfwidth": false},
        {"column": "street_name", "name": "street_name", "kind": "text", "raw": false, "raw_name": "street_name_raw"},
        {"column": "committee_code", "name": "committee_code", "kind": "code", "raw": false, "raw_name": "committee_code_raw"},
        {"column": "committee_name", "name": "committee_name", "kind": "text", "raw": false, "raw_name": "committee_name_raw"},
        {"column": "compound_name", "name": "compound_name", "kind": "text", "raw": false, "raw_name": "compound_name_raw"},
        {"column": "road", "name": "road", "kind": "text", "raw": false, "raw_name": "road_raw"},
        {"column": "lane", "name": "lane", "kind": "integer", "raw": false, "raw_name": "lane_raw"},
        {"column": "sub_lane", "name": "sub_lane", "kind": "integer", "raw": false, "raw_name": "sub_lane_raw"},
        {"column": "number", "name": "number", "kind": "integer", "raw": false, "raw_name": "number_raw"},
        {"column": "building", "name": "building", "kind": "integer", "raw": false, "raw_name": "building_raw"},
        {"column": "village_group", "name": "village_group", "kind": "integer", "raw": false, "raw_name": "village_group_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": false, "sex": false, "month_precision": false}
}) }}
