{#- GENERATED from tags/**/*.yaml by `python -m shequyun.tags`; do not edit (tests/tags/test_generated_fresh.py).
    The tags that apply now: one row per (person, tag) whose rule holds on dim_person_profile, for the tags of the
    catalogue in force at as_of(); an area-owned tag only inside its area. -#}

with profile as (
    select * from {{ ref('dim_person_profile') }}
),

catalogue as (
    select tag_code, tag_name, level, area_code, rule
    from {{ ref('tag_catalogue') }}
    where (effective_from is null or effective_from <= {{ as_of() }})
      and (effective_to is null or effective_to >= {{ as_of() }})
),

matched as (
    -- disabled
    select person_key, 'disabled' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false)), false)
    union all
    -- disabled_grade_1
    select person_key, 'disabled_grade_1' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_grade" = 1))), false)
    union all
    -- disabled_grade_2
    select person_key, 'disabled_grade_2' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_grade" = 2))), false)
    union all
    -- disabled_grade_3
    select person_key, 'disabled_grade_3' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_grade" = 3))), false)
    union all
    -- disabled_grade_4
    select person_key, 'disabled_grade_4' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_grade" = 4))), false)
    union all
    -- disabled_hearing
    select person_key, 'disabled_hearing' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 2))), false)
    union all
    -- disabled_intellectual
    select person_key, 'disabled_intellectual' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 5))), false)
    union all
    -- disabled_mental
    select person_key, 'disabled_mental' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 6))), false)
    union all
    -- disabled_multiple
    select person_key, 'disabled_multiple' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 7))), false)
    union all
    -- disabled_physical
    select person_key, 'disabled_physical' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 4))), false)
    union all
    -- disabled_speech
    select person_key, 'disabled_speech' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 3))), false)
    union all
    -- disabled_visual
    select person_key, 'disabled_visual' as tag_code, "disability_since" as valid_from, flatten(["disability_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("disabled", false) and (("disability_category_code" = 1))), false)
    union all
    -- party_full_member
    select person_key, 'party_full_member' as tag_code, "party_full_on" as valid_from, flatten(["party_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("party_member_type" = '正式党员'))), false)
    union all
    -- party_probationary_member
    select person_key, 'party_probationary_member' as tag_code, "party_joined_on" as valid_from, flatten(["party_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("party_member_type" = '预备党员'))), false)
    union all
    -- centenarian
    select person_key, 'centenarian' as tag_code, cast("birth_date" + interval 100 year as date) as valid_from, flatten(["birth_date_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("age" >= 100))), false)
    union all
    -- elderly_80
    select person_key, 'elderly_80' as tag_code, cast("birth_date" + interval 80 year as date) as valid_from, flatten(["birth_date_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("age" >= 80))), false)
    union all
    -- elderly_90
    select person_key, 'elderly_90' as tag_code, cast("birth_date" + interval 90 year as date) as valid_from, flatten(["birth_date_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("age" >= 90))), false)
    union all
    -- elderly_living_alone
    select person_key, 'elderly_living_alone' as tag_code, greatest(cast("birth_date" + interval 60 year as date), "residence_since") as valid_from, flatten(["birth_date_record_keys", "residence_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("age" >= 60)) and coalesce("lives_alone", false)), false)
    union all
    -- elderly_only_household
    select person_key, 'elderly_only_household' as tag_code, cast("birth_date" + interval 60 year as date) as valid_from, flatten(["birth_date_record_keys", "residence_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("household_living_count" >= 2)) and (("household_min_age" >= 60))), false)
    union all
    -- ethnic_minority
    select person_key, 'ethnic_minority' as tag_code, "birth_date" as valid_from, flatten(["birth_date_record_keys", "ethnicity_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("is_minority", false)), false)
    union all
    -- graduate_this_year
    select person_key, 'graduate_this_year' as tag_code, cast(null as date) as valid_from, flatten(["graduate_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("is_graduate_this_year", false)), false)
    union all
    -- hukou_separated
    select person_key, 'hukou_separated' as tag_code, "residence_since" as valid_from, flatten(["residence_record_keys"]) as record_keys
    from profile
    where coalesce(coalesce("is_separated", false), false)
    union all
    -- migrant
    select person_key, 'migrant' as tag_code, "residence_since" as valid_from, flatten(["population_type_record_keys", "residence_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (("population_type" = '来沪'))), false)
    union all
    -- family_doctor_signed
    select person_key, 'family_doctor_signed' as tag_code, "family_doctor_signed_on" as valid_from, flatten(["family_doctor_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("family_doctor_signed", false)), false)
    union all
    -- unemployment_registered
    select person_key, 'unemployment_registered' as tag_code, "unemployed_since" as valid_from, flatten(["status_record_keys", "unemployment_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("unemployed", false)), false)
    union all
    -- veteran
    select person_key, 'veteran' as tag_code, "veteran_discharged_on" as valid_from, flatten(["status_record_keys", "veteran_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("veteran", false)), false)
    union all
    -- dibao
    select person_key, 'dibao' as tag_code, "dibao_since" as valid_from, flatten(["dibao_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("dibao", false)), false)
    union all
    -- key_care
    select person_key, 'key_care' as tag_code, cast(null as date) as valid_from, flatten(["birth_date_record_keys", "dibao_record_keys", "disability_record_keys", "residence_record_keys", "status_record_keys", "tekun_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and (coalesce("tekun", false) or ((("disability_category_code" = 6)) and (("disability_grade" <= 2))) or ((("age" < 18)) and coalesce("dibao", false)) or ((("age" >= 60)) and coalesce("lives_alone", false) and ((("age" >= 80)) or coalesce("disabled", false) or coalesce("tekun", false))))), false)
    union all
    -- low_income
    select person_key, 'low_income' as tag_code, "low_income_since" as valid_from, flatten(["low_income_record_keys", "status_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("low_income", false)), false)
    union all
    -- tekun
    select person_key, 'tekun' as tag_code, "tekun_since" as valid_from, flatten(["status_record_keys", "tekun_record_keys"]) as record_keys
    from profile
    where coalesce(((("status" = 'living')) and coalesce("tekun", false)), false)
    union all
    -- xuhui_elderly_care
    select person_key, 'xuhui_elderly_care' as tag_code, cast("birth_date" + interval 75 year as date) as valid_from, flatten(["birth_date_record_keys", "residence_record_keys", "status_record_keys"]) as record_keys
    from profile
    where (coalesce(((("status" = 'living')) and (("age" >= 75)) and (("household_min_age" >= 60))), false) and "district_code" = '310104')
    union all
    -- changqiao_family_doctor_elderly
    select person_key, 'changqiao_family_doctor_elderly' as tag_code, greatest(cast("birth_date" + interval 65 year as date), "family_doctor_signed_on") as valid_from, flatten(["birth_date_record_keys", "family_doctor_record_keys", "status_record_keys"]) as record_keys
    from profile
    where (coalesce(((("status" = 'living')) and (("age" >= 65)) and coalesce("family_doctor_signed", false)), false) and "street_code" = '310104010')
    union all
    -- changqiao1_party_elderly
    select person_key, 'changqiao1_party_elderly' as tag_code, greatest(cast("birth_date" + interval 70 year as date), "party_full_on") as valid_from, flatten(["birth_date_record_keys", "party_record_keys", "status_record_keys"]) as record_keys
    from profile
    where (coalesce(((("status" = 'living')) and (("party_member_type" = '正式党员')) and (("age" >= 70))), false) and "committee_code" = '310104010001')
),

final as (
    select
        matched.person_key,
        matched.tag_code,
        catalogue.tag_name,
        catalogue.level,
        catalogue.area_code,
        catalogue.rule,
        list_sort(list_distinct(matched.record_keys)) as source_record_keys,
        list_sort(list_distinct(list_transform(matched.record_keys, k -> split_part(k, ':', 1)))) as source_systems,
        matched.valid_from
    from matched
    inner join catalogue on matched.tag_code = catalogue.tag_code
)

select * from final
