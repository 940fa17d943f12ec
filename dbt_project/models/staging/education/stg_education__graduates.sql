{#- GENERATED from connectors/sources/ed_graduates.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    高校毕业生信息系统（市教育委员会）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "ed_graduates",
    "model": "stg_education__graduates",
    "primary_key": ["student_no"],
    "row_key": "",
    "fields": [
        {"column": "student_no", "name": "student_no", "kind": "identifier", "raw": false, "raw_name": "student_no_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "school", "name": "school", "kind": "text", "raw": false, "raw_name": "school_raw"},
        {"column": "major", "name": "major", "kind": "text", "raw": false, "raw_name": "major_raw"},
        {"column": "degree", "name": "degree", "kind": "text", "raw": false, "raw_name": "degree_raw"},
        {"column": "graduation_year", "name": "graduation_year", "kind": "integer", "raw": false, "raw_name": "graduation_year_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "employment_status", "name": "employment_status", "kind": "text", "raw": false, "raw_name": "employment_status_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
