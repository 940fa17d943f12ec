{#- 人员主数据: one golden row per resolved person (fct_person_field_lineage pivoted), with the systems it appears in. -#}

with lineage as (
    select person_key, field, value, house_key, value_date
    from {{ ref('fct_person_field_lineage') }}
),

records as (
    select person_key, record_person_key, system
    from {{ ref('fct_person_source_records') }}
),

golden as (
    select
        person_key,
        max(value) filter (where field = 'name') as name,
        max(value) filter (where field = 'id_number') as id_number,
        max(value) filter (where field = 'sex') as sex,
        max(value) filter (where field = 'birth_date') as birth_date,
        max(value) filter (where field = 'ethnicity') as ethnicity,
        max(value) filter (where field = 'phone') as phone,
        max(value) filter (where field = 'hukou_address') as hukou_address,
        max(house_key) filter (where field = 'hukou_address') as hukou_house_key,
        max(value) filter (where field = 'residence_address') as residence_address,
        max(house_key) filter (where field = 'residence_address') as residence_house_key,
        max(value) filter (where field = 'status') as status,
        max(value_date) filter (where field = 'status') as status_date,
        max(value) filter (where field = 'population_type') as population_type
    from lineage
    group by person_key
),

appearances as (
    select
        person_key,
        count(*) as record_count,
        list(distinct system order by system) as systems
    from records
    group by person_key
),

final as (
    select
        cast(appearances.person_key as varchar) as person_key,
        cast(golden.name as varchar) as name,
        cast(golden.id_number as varchar) as id_number,
        cast(golden.sex as varchar) as sex,
        cast(golden.birth_date as date) as birth_date,
        cast(golden.ethnicity as varchar) as ethnicity,
        cast(golden.phone as varchar) as phone,
        cast(golden.hukou_address as varchar) as hukou_address,
        cast(golden.hukou_house_key as varchar) as hukou_house_key,
        cast(golden.residence_address as varchar) as residence_address,
        cast(golden.residence_house_key as varchar) as residence_house_key,
        -- no 户籍 / 实有人口 record: the other systems hold current cases, the person is taken as living
        cast(coalesce(golden.status, 'living') as varchar) as status,
        cast(golden.status_date as date) as status_date,
        cast(golden.population_type as varchar) as population_type,
        cast(appearances.record_count as bigint) as record_count,
        cast(appearances.systems as varchar[]) as systems
    from appearances
    left join golden on appearances.person_key = golden.person_key
)

select * from final
