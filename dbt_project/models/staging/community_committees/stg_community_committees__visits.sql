{#- GENERATED from connectors/sources/cc_visits.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    社区走访记录(社区云)（居(村)委会）staged by the macro staging_model. -#}
{{ staging_model({
    "system": "cc_visits",
    "model": "stg_community_committees__visits",
    "primary_key": ["visit_id"],
    "row_key": "",
    "fields": [
        {"column": "visit_id", "name": "visit_id", "kind": "identifier", "raw": false, "raw_name": "visit_id_raw", "halfwidth": false},
        {"column": "visited_on", "name": "visited_on", "kind": "date", "raw": false, "raw_name": "visited_on_raw"},
        {"column": "visitor_name", "name": "visitor_name", "kind": "name", "raw": false, "raw_name": "visitor_name_raw"},
        {"column": "visitor_department", "name": "visitor_department", "kind": "text", "raw": false, "raw_name": "visitor_department_raw"},
        {"column": "committee_code", "name": "committee_code", "kind": "identifier", "raw": false, "raw_name": "committee_code_raw", "halfwidth": false},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "method", "name": "method", "kind": "text", "raw": false, "raw_name": "method_raw"},
        {"column": "situation", "name": "situation", "kind": "text", "raw": false, "raw_name": "situation_raw"},
        {"column": "appeal", "name": "appeal", "kind": "text", "raw": false, "raw_name": "appeal_raw"},
        {"column": "follow_up", "name": "follow_up", "kind": "boolean", "raw": false, "raw_name": "follow_up_raw", "values": [["是", true], ["否", false]]},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": false, "sex": false, "month_precision": false}
}) }}
