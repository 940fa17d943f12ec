{#- GENERATED from connectors/sources/ca_low_income.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    低收入困难家庭认定系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ca_low_income",
    "model": "stg_civil_affairs__low_income_persons",
    "primary_key": ["case_no", "id_number"],
    "row_key": "",
    "fields": [
        {"column": "case_no", "name": "case_no", "kind": "identifier", "raw": false, "raw_name": "case_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "start_date", "name": "start_date", "kind": "date", "raw": false, "raw_name": "start_date_raw"},
        {"column": "end_date", "name": "end_date", "kind": "date", "raw": false, "raw_name": "end_date_raw"},
        {"column": "income_per_capita", "name": "income_per_capita", "kind": "decimal", "raw": false, "raw_name": "income_per_capita_raw", "type": "decimal(12, 2)"},
        {"column": "assistance", "name": "assistance", "kind": "text", "raw": false, "raw_name": "assistance_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": true}
}) }}
