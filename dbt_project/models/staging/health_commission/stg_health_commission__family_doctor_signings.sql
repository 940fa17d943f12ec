{#- GENERATED from connectors/sources/hc_family_doctor.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    家庭医生签约服务系统（市卫生健康委）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "hc_family_doctor",
    "model": "stg_health_commission__family_doctor_signings",
    "primary_key": ["sign_id"],
    "row_key": "",
    "fields": [
        {"column": "sign_id", "name": "sign_id", "kind": "identifier", "raw": false, "raw_name": "sign_id_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "sign_org", "name": "sign_org", "kind": "text", "raw": false, "raw_name": "sign_org_raw"},
        {"column": "doctor_name", "name": "doctor_name", "kind": "name", "raw": false, "raw_name": "doctor_name_raw"},
        {"column": "sign_date", "name": "sign_date", "kind": "date", "raw": false, "raw_name": "sign_date_raw"},
        {"column": "expire_date", "name": "expire_date", "kind": "date", "raw": false, "raw_name": "expire_date_raw"},
        {"column": "chronic_diseases", "name": "chronic_diseases", "kind": "text", "raw": false, "raw_name": "chronic_diseases_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
