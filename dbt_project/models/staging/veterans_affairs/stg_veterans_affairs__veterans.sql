{#- GENERATED from connectors/sources/va_veterans.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    退役军人信息管理系统（市退役军人事务局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "va_veterans",
    "model": "stg_veterans_affairs__veterans",
    "primary_key": ["veteran_no"],
    "row_key": "",
    "fields": [
        {"column": "veteran_no", "name": "veteran_no", "kind": "identifier", "raw": false, "raw_name": "veteran_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "enlisted_on", "name": "enlisted_on", "kind": "date", "raw": false, "raw_name": "enlisted_on_raw"},
        {"column": "discharged_on", "name": "discharged_on", "kind": "date", "raw": false, "raw_name": "discharged_on_raw"},
        {"column": "preferential_category", "name": "preferential_category", "kind": "text", "raw": false, "raw_name": "preferential_category_raw"},
        {"column": "disability_grade", "name": "disability_grade", "kind": "text", "raw": false, "raw_name": "disability_grade_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
