{#- GENERATED from connectors/sources/ca_dibao.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    最低生活保障信息系统（市民政局）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ca_dibao",
    "model": "stg_civil_affairs__dibao_members",
    "primary_key": ["case_no", "id_number"],
    "row_key": "",
    "fields": [
        {"column": "case_no", "name": "case_no", "kind": "identifier", "raw": false, "raw_name": "case_no_raw", "halfwidth": false},
        {"column": "head_name", "name": "head_name", "kind": "person_name", "raw": true, "raw_name": "head_name_raw"},
        {"column": "head_id_number", "name": "head_id_number", "kind": "id_number", "raw": true, "prefix": "head_", "raw_name": "head_id_number_raw"},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "relation_to_head", "name": "relation_to_head", "kind": "text", "raw": false, "raw_name": "relation_to_head_raw"},
        {"column": "household_size", "name": "household_size", "kind": "integer", "raw": false, "raw_name": "household_size_raw"},
        {"column": "covered_persons", "name": "covered_persons", "kind": "integer", "raw": false, "raw_name": "covered_persons_raw"},
        {"column": "monthly_amount", "name": "monthly_amount", "kind": "decimal", "raw": false, "raw_name": "monthly_amount_raw", "type": "decimal(12, 2)"},
        {"column": "start_date", "name": "start_date", "kind": "date", "raw": true, "raw_name": "start_date_raw"},
        {"column": "hardship_reason", "name": "hardship_reason", "kind": "text", "raw": false, "raw_name": "hardship_reason_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
        {"name": "head_is_other_person", "sql": "coalesce(head_id_number, '') <> coalesce(id_number, '') or coalesce(head_name, '') <> coalesce(person_name, '')"},
    ],
    "conflicts": {"birth_date": false, "sex": false, "month_precision": false}
}) }}
