{#- GENERATED from connectors/sources/ca_elderly_allowance.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    老年综合津贴发放系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ca_elderly_allowance",
    "model": "stg_civil_affairs__elderly_allowances",
    "primary_key": ["record_id"],
    "row_key": "record_id",
    "fields": [
        {"column": "record_id", "name": "record_id", "kind": "code", "raw": false, "raw_name": "record_id_raw"},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "allowance_tier", "name": "allowance_tier", "kind": "text", "raw": false, "raw_name": "allowance_tier_raw"},
        {"column": "monthly_amount", "name": "monthly_amount", "kind": "decimal", "raw": false, "raw_name": "monthly_amount_raw", "type": "decimal(12, 2)"},
        {"column": "start_date", "name": "start_date", "kind": "date", "raw": false, "raw_name": "start_date_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
        {"column": "status", "name": "status", "kind": "text", "raw": false, "raw_name": "status_raw"},
        {"column": "updated_at", "name": "updated_at", "kind": "timestamp", "raw": false, "raw_name": "updated_at_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
