{#- GENERATED from connectors/sources/ca_tekun.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    特困人员供养系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ca_tekun",
    "model": "stg_civil_affairs__tekun_persons",
    "primary_key": ["case_no"],
    "row_key": "",
    "fields": [
        {"column": "case_no", "name": "case_no", "kind": "identifier", "raw": false, "raw_name": "case_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "support_type", "name": "support_type", "kind": "text", "raw": false, "raw_name": "support_type_raw"},
        {"column": "start_date", "name": "start_date", "kind": "date", "raw": false, "raw_name": "start_date_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
        {"column": "caregiver_name", "name": "caregiver_name", "kind": "name", "raw": false, "raw_name": "caregiver_name_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
