{#- GENERATED from connectors/sources/ca_divisions.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    行政区划与居村委会名录（市民政局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ca_divisions",
    "model": "stg_civil_affairs__divisions",
    "primary_key": ["division_code"],
    "row_key": "",
    "fields": [
        {"column": "division_code", "name": "division_code", "kind": "code", "raw": false, "raw_name": "division_code_raw"},
        {"column": "division_name", "name": "division_name", "kind": "text", "raw": false, "raw_name": "division_name_raw"},
        {"column": "division_level", "name": "division_level_label", "kind": "text", "raw": false, "raw_name": "division_level_label_raw"},
        {"column": "parent_code", "name": "parent_code", "kind": "identifier", "raw": false, "raw_name": "parent_code_raw", "halfwidth": false},
        {"column": "division_type", "name": "division_type", "kind": "text", "raw": false, "raw_name": "division_type_raw"},
        {"column": "office_address", "name": "office_address", "kind": "text", "raw": false, "raw_name": "office_address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": false, "raw_name": "phone_raw"},
        {"column": "email", "name": "email", "kind": "email", "raw": false, "raw_name": "email_raw"},
    ],
    "derived": [
        {"name": "division_level", "sql": "case length(division_code) when 6 then 'district' when 9 then 'street' when 12 then 'committee' end"},
    ],
    "conflicts": {"birth_date": false, "sex": false, "month_precision": false}
}) }}
