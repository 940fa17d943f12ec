{#- GENERATED from connectors/sources/ps_population.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    实有人口信息系统（市公安局）staged by the macro staging_model. -#}
-- depends_on: {{ ref('ref_ethnicity_codes') }}
{{ staging_model({
    "system": "ps_population",
    "model": "stg_public_security__population_records",
    "primary_key": ["record_id"],
    "row_key": "record_id",
    "fields": [
        {"column": "record_id", "name": "record_id", "kind": "code", "raw": false, "raw_name": "record_id_raw"},
        {"column": "person_name", "name": "person_name", "kind": "person_name", "raw": true, "raw_name": "person_name_raw"},
        {"column": "sex", "name": "sex", "kind": "sex", "raw": true, "raw_name": "sex_raw"},
        {"column": "ethnicity", "name": "ethnicity", "kind": "lookup", "raw": true, "raw_name": "ethnicity_code", "seed": "ref_ethnicity_codes", "key": "ethnicity_code", "value": "ethnicity", "pad": 2},
        {"column": "birth_date", "name": "birth_date", "kind": "date", "raw": true, "raw_name": "birth_date_raw"},
        {"column": "id_number", "name": "id_number", "kind": "id_number", "raw": true, "prefix": "", "raw_name": "id_number_raw"},
        {"column": "population_type", "name": "population_type", "kind": "code_map", "raw": true, "raw_name": "population_type_code", "values": [["1", "户籍"], ["2", "来沪"], ["3", "境外"]]},
        {"column": "address", "name": "address", "kind": "address", "raw": true, "raw_name": "address_raw"},
        {"column": "hukou_address", "name": "hukou_address", "kind": "address", "raw": true, "raw_name": "hukou_address_raw"},
        {"column": "hukou_region_code", "name": "hukou_region_code", "kind": "identifier", "raw": false, "raw_name": "hukou_region_code_raw", "halfwidth": false},
        {"column": "arrived_on", "name": "arrived_on", "kind": "date", "raw": false, "raw_name": "arrived_on_raw"},
        {"column": "residence_permit_no", "name": "residence_permit_no", "kind": "identifier", "raw": false, "raw_name": "residence_permit_no_raw", "halfwidth": false},
        {"column": "phone", "name": "phone", "kind": "phone", "raw": true, "raw_name": "phone_raw"},
        {"column": "status", "name": "status", "kind": "code_map", "raw": true, "raw_name": "status_code", "values": [["0", "正常"], ["1", "死亡"], ["2", "迁出"]]},
        {"column": "updated_at", "name": "updated_at", "kind": "timestamp", "raw": false, "raw_name": "updated_at_raw"},
    ],
    "derived": [
    ],
    "conflicts": {"birth_date": true, "sex": true, "month_precision": false}
}) }}
