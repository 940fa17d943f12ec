{#- GENERATED from connectors/sources/dpf_disability.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    残疾人人口基础信息系统（市残联）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "dpf_disability",
    "model": "stg_disabled_persons_federation__disabled_persons",
    "primary_key": ["disability_cert_no"],
    "row_key": "",
    "fields": [
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "disability_cert_no", "name": "disability_cert_no", "kind": "document_no", "raw": true, "raw_name": "disability_cert_no_raw"},
        {"column": "disability_category", "name": "disability_category", "kind": "text", "raw": false, "raw_name": "disability_category_raw"},
        {"column": "disability_grade", "name": "disability_grade", "kind": "text", "raw": false, "raw_name": "disability_grade_raw"},
        {"column": "issued_on", "name": "issued_on", "kind": "date", "raw": true, "raw_name": "issued_on_raw"},
        {"column": "guardian_name", "name": "guardian_name", "kind": "name", "raw": false, "raw_name": "guardian_name_raw"},
        {"column": "guardian_phone", "name": "guardian_phone", "kind": "phone", "raw": false, "raw_name": "guardian_phone_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
    ],
    "derived": [
        {"name": "cert_category_code", "sql": "case when length(disability_cert_no) = 20 then cast(substr(disability_cert_no, 19, 1) as varchar) end"},
        {"name": "cert_grade_code", "sql": "case when length(disability_cert_no) = 20 then cast(substr(disability_cert_no, 20, 1) as varchar) end"},
        {"name": "cert_conflicts_id", "sql": "case when id_valid and length(disability_cert_no) = 20 then substr(disability_cert_no, 1, 18) <> id_number end"},
    ],
    "conflicts": {"birth_date": false, "sex": true, "month_precision": false}
}) }}
