{#- GENERATED from connectors/sources/hc_family_doctor.yaml (and connectors/fields.yaml) by `python -m connectors.dbt_sources`; do not edit.
    家庭医生签约服务系统（市卫生健康委）staged by the macro staging_model. -#}
{{ staging_model(source_systems()['hc_family_doctor']) }}
