{#- Every record that names a person, with its resolved person_key, its own date, its status (户口状态 / 注销标识)
    and the houses its addresses resolve to: the candidates of survivorship (fct_person_field_lineage). -#}

with records as (
    select
        record_person_key, record_key, system, role, person_name, id_number, id_valid, id_conflicts_stated,
        birth_date, sex, ethnicity, phone, address, hukou_address, loaded_at
    from {{ ref('int_person_records') }}
),

clusters as (
    select record_person_key, person_key, main_id_number
    from {{ ref('int_person_clusters_resolved') }}
),

-- the population registers (户籍, 实有人口: resolution.register of their connector YAMLs): status and population type
registers as (
    {{ register_records() }}
),

-- the record's own date where the system has one (resolution.recorded_on of its connector YAML; recency of
-- survivorship after the load day)
other_dates as (
    {{ record_dates() }}
),

record_states as (
    select record_key, status, status_date, recorded_on, population_type, period_start, period_end, household_no
    from registers
    union all
    select record_key, null, null, recorded_on, null, recorded_on, null, null from other_dates
),

houses as (
    select
        record_key,
        max(house_key) filter (where address_role = 'hukou') as hukou_house_key,
        max(house_key) filter (where address_role in ('residence', 'visit')) as residence_house_key,
        max(house_key) filter (where address_role = 'property') as property_house_key,
        bool_or(address_role = 'family') as is_family_address
    from {{ ref('int_house_records_resolved') }}
    group by record_key
),

final as (
    select
        clusters.person_key,
        records.record_person_key,
        records.record_key,
        records.system,
        records.role,
        records.loaded_at,
        cast(record_states.recorded_on as date) as recorded_on,
        records.person_name,
        records.id_number,
        records.id_valid,
        records.id_valid and records.id_number = clusters.main_id_number as id_is_person_id,
        records.sex,
        records.birth_date,
        records.ethnicity,
        records.phone,
        -- a title's 房屋坐落 is the owned house, not the residence; int_person_records leaves owners' address null;
        -- a graduate's 家庭地址 is the family's home, not the residence either
        case when not coalesce(houses.is_family_address, false) then records.address end as residence_address,
        case when records.role <> 'owner' then houses.residence_house_key end as residence_house_key,
        records.hukou_address,
        houses.hukou_house_key,
        case when records.role = 'owner' then houses.property_house_key end as property_house_key,
        record_states.status,
        record_states.status_date,
        record_states.population_type,
        cast(record_states.period_start as date) as period_start,
        cast(record_states.period_end as date) as period_end,
        cast(record_states.household_no as varchar) as household_no
    from records
    inner join clusters on records.record_person_key = clusters.record_person_key
    left join record_states on records.record_key = record_states.record_key
    left join houses on records.record_key = houses.record_key
)

select * from final
