{#- GENERATED from connectors/sources/po_party_members.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    党员信息管理系统（市委组织部）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "po_party_members",
    "model": "stg_party_organisation__party_members",
    "primary_key": ["id_number"],
    "row_key": "",
    "fields": [
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "ethnicity", "name": "ethnicity", "kind": "text", "raw": false, "raw_name": "ethnicity_raw"},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "education", "name": "education", "kind": "text", "raw": false, "raw_name": "education_raw"},
        {"column": "joined_on", "name": "joined_on", "kind": "date", "raw": false, "raw_name": "joined_on_raw"},
        {"column": "full_member_on", "name": "full_member_on", "kind": "date", "raw": false, "raw_name": "full_member_on_raw"},
        {"column": "member_type", "name": "member_type", "kind": "text", "raw": false, "raw_name": "member_type_raw"},
        {"column": "party_branch", "name": "party_branch", "kind": "text", "raw": false, "raw_name": "party_branch_raw"},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
