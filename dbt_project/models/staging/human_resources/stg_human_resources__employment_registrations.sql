{#- GENERATED from connectors/sources/hr_employment.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    就业失业登记系统（市人力资源社会保障局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "hr_employment",
    "model": "stg_human_resources__employment_registrations",
    "primary_key": ["registration_no"],
    "row_key": "",
    "fields": [
        {"column": "registration_no", "name": "registration_no", "kind": "identifier", "raw": false, "raw_name": "registration_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "registration_type", "name": "registration_type", "kind": "text", "raw": false, "raw_name": "registration_type_raw"},
        {"column": "registered_on", "name": "registered_on", "kind": "date", "raw": false, "raw_name": "registered_on_raw"},
        {"column": "employer", "name": "employer", "kind": "text", "raw": false, "raw_name": "employer_raw"},
        {"column": "ended_on", "name": "ended_on", "kind": "date", "raw": false, "raw_name": "ended_on_raw"},
        {"column": "hukou_address", "name": "hukou_address", "kind": "address", "raw": true, "raw_name": "hukou_address_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
