{#- GENERATED from connectors/sources/ps_hukou.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    户籍人口信息系统（市公安局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ps_hukou",
    "model": "stg_public_security__hukou_persons",
    "primary_key": ["household_no", "id_number"],
    "row_key": "",
    "fields": [
        {"column": "household_no", "name": "household_no", "kind": "identifier", "raw": false, "raw_name": "household_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "ethnicity", "name": "ethnicity", "kind": "text", "raw": false, "raw_name": "ethnicity_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "relation_to_head", "name": "relation_to_head", "kind": "text", "raw": false, "raw_name": "relation_to_head_raw"},
        {"column": "hukou_address", "name": "hukou_address", "kind": "address", "raw": true, "raw_name": "hukou_address_raw"},
        {"column": "registered_on", "name": "registered_on", "kind": "date", "raw": false, "raw_name": "registered_on_raw"},
        {"column": "status", "name": "status", "kind": "text", "raw": false, "raw_name": "status_raw"},
        {"column": "status_changed_on", "name": "status_changed_on", "kind": "date", "raw": false, "raw_name": "status_changed_on_raw"},
        {"column": "education", "name": "education", "kind": "text", "raw": false, "raw_name": "education_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
