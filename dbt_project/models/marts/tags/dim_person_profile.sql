{#- 人员画像: the documented person view the tag rules (tags/**.yaml) run over. One row per resolved person: golden
    fields (dim_person), age at as_of(), houses and areas (dim_house), department facts from staging joined through
    fct_person_source_records, household composition at the residence house, and the records behind each fact. -#}

with as_of as (
    select {{ as_of() }} as as_of_date
),

persons as (
    select
        person_key, sex, birth_date, ethnicity, population_type, status, status_date, hukou_house_key, residence_house_key,
        -- on the 实有人口 or 户籍 register: a person known only from departments' records (e.g. a visit whose 对象 no
        -- registered person matched) is most likely a registered person's record that could not be linked
        list_has_any(systems, {{ register_systems(as_list=true) }}) as on_population_register
    from {{ ref('dim_person') }}
),

records as (
    select person_key, record_key
    from {{ ref('fct_person_source_records') }}
    where role = 'subject'
),

lineage as (
    select
        person_key,
        list(record_key) filter (where field = 'birth_date') as birth_date_record_keys,
        list(record_key) filter (where field = 'sex') as sex_record_keys,
        list(record_key) filter (where field = 'ethnicity') as ethnicity_record_keys,
        list(record_key) filter (where field = 'population_type') as population_type_record_keys,
        list(record_key) filter (where field = 'status') as status_record_keys
    from {{ ref('fct_person_field_lineage') }}
    group by person_key
),

relations as (
    select
        person_key,
        min(valid_from) filter (where relation = '实住') as residence_since,
        flatten(list(source_record_keys) filter (where relation = '实住')) as residence_record_keys,
        flatten(list(source_record_keys) filter (where relation = '户籍')) as hukou_record_keys
    from {{ ref('bridge_person_house') }}
    where is_golden and relation in ('实住', '户籍')
    group by person_key
),

houses as (
    select house_key, district_code, street_code, committee_code
    from {{ ref('dim_house') }}
),

aged as (
    select
        persons.*,
        cast(date_part('year', age(cast(as_of.as_of_date as timestamp), cast(persons.birth_date as timestamp))) as integer) as age
    from persons
    cross join as_of
),

-- the department facts: one CTE facts_<group> per fact group the connector YAMLs declare (resolution.facts: 党员, 低保,
-- 低收入, 特困, 残疾, 退役军人, 失业登记, 家庭医生, 毕业生 ...), aggregated over the person's subject records; the
-- documented columns of a group no configured system declares are false / null / [] (profile_unconfigured_fact_columns)
{{ profile_fact_ctes() }}

-- 同住: the living residents of each residence house, as the population registers know them (persons on no register
-- are not counted: each is most likely a registered resident's unlinked record, counting it would count one twice)
households as (
    select
        residence_house_key,
        count(*) as household_living_count,
        min(age) as household_min_age
    from aged
    where status = 'living' and residence_house_key is not null and on_population_register
    group by residence_house_key
),

final as (
    select
        aged.person_key,
        aged.sex,
        aged.birth_date,
        aged.age,
        aged.ethnicity,
        aged.ethnicity is not null and aged.ethnicity <> '汉族' as is_minority,
        aged.population_type,
        aged.status,
        aged.status_date,
        aged.hukou_house_key,
        hukou_house.district_code as hukou_district_code,
        hukou_house.street_code as hukou_street_code,
        hukou_house.committee_code as hukou_committee_code,
        aged.residence_house_key,
        residence_house.district_code as district_code,
        residence_house.street_code as street_code,
        residence_house.committee_code as committee_code,
        relations.residence_since,
        coalesce(
            aged.status = 'living' and aged.population_type = '户籍'
            and aged.hukou_house_key is not null and aged.residence_house_key is not null
            and aged.hukou_house_key <> aged.residence_house_key,
            false
        ) as is_separated,
        {{ profile_fact_columns() }}
        {{- profile_unconfigured_fact_columns() }}
        aged.on_population_register,
        case when aged.status = 'living' and aged.on_population_register then households.household_living_count end
            as household_living_count,
        case when aged.status = 'living' and aged.on_population_register then households.household_min_age end
            as household_min_age,
        coalesce(aged.status = 'living' and aged.on_population_register and households.household_living_count = 1, false)
            as lives_alone,
        coalesce(lineage.birth_date_record_keys, []) as birth_date_record_keys,
        coalesce(lineage.sex_record_keys, []) as sex_record_keys,
        coalesce(lineage.ethnicity_record_keys, []) as ethnicity_record_keys,
        coalesce(lineage.population_type_record_keys, []) as population_type_record_keys,
        coalesce(lineage.status_record_keys, []) as status_record_keys,
        coalesce(list_sort(list_distinct(relations.hukou_record_keys)), []) as hukou_record_keys,
        coalesce(list_sort(list_distinct(relations.residence_record_keys)), []) as residence_record_keys
        {{- profile_fact_record_keys() }}
    from aged
    cross join as_of
    left join houses as hukou_house on aged.hukou_house_key = hukou_house.house_key
    left join houses as residence_house on aged.residence_house_key = residence_house.house_key
    left join households on aged.residence_house_key = households.residence_house_key
    left join lineage on aged.person_key = lineage.person_key
    left join relations on aged.person_key = relations.person_key
    {{ profile_fact_joins('aged') }}
)

select * from final
