{#- 人房关系: who is registered (户籍), lives (实住) and owns (产权) where, one row per (person, house, relation),
    with the period it holds and the records that say so. valid_to null = current. -#}

with records as (
    select * from {{ ref('fct_person_source_records') }}
),

persons as (
    select person_key, status, status_date, hukou_house_key, residence_house_key
    from {{ ref('dim_person') }}
),

-- the record each golden house came from: its date ends a superseded relation
golden_dates as (
    select
        person_key,
        max(coalesce(recorded_on, cast(loaded_at as date))) filter (where field = 'hukou_address') as hukou_since,
        max(coalesce(recorded_on, cast(loaded_at as date))) filter (where field = 'residence_address')
            as residence_since
    from {{ ref('fct_person_field_lineage') }}
    where field in ('hukou_address', 'residence_address')
    group by person_key
),

relations as (
    -- 户籍: the 户籍 register only (the registers that give households: resolution.register.household)
    select person_key, hukou_house_key as house_key, '户籍' as relation, record_key, system, period_start, period_end
    from records
    where system in {{ register_systems(households=true) }} and hukou_house_key is not null
    union all
    -- 实住: 实有人口's 居住地址 and every other record saying where the person lives
    select person_key, residence_house_key, '实住', record_key, system, period_start, period_end
    from records
    where residence_house_key is not null
    union all
    -- 产权: the 权利人 of a property title
    select person_key, property_house_key, '产权', record_key, system, period_start, period_end
    from records
    where property_house_key is not null
),

grouped as (
    select
        person_key,
        house_key,
        relation,
        min(period_start) as valid_from,
        -- ended only when every record naming it says it ended (注销)
        case when bool_and(period_end is not null) then max(period_end) end as record_end,
        list(distinct record_key order by record_key) as source_record_keys,
        list(distinct system order by system) as systems
    from relations
    group by person_key, house_key, relation
),

dated as (
    select
        grouped.*,
        case
            when grouped.relation = '产权' then grouped.record_end
            -- the person died or moved away: every 户籍 / 实住 ends then
            when persons.status <> 'living' then coalesce(grouped.record_end, persons.status_date)
            when grouped.relation = '户籍' and grouped.house_key = persons.hukou_house_key then grouped.record_end
            when grouped.relation = '实住' and grouped.house_key = persons.residence_house_key then grouped.record_end
            -- superseded: another house is the golden one since the record that names it
            when grouped.relation = '户籍' then coalesce(grouped.record_end, golden_dates.hukou_since)
            else coalesce(grouped.record_end, golden_dates.residence_since)
        end as valid_to,
        case grouped.relation
            when '户籍' then grouped.house_key = persons.hukou_house_key
            when '实住' then grouped.house_key = persons.residence_house_key
            else true
        end as is_golden
    from grouped
    inner join persons on grouped.person_key = persons.person_key
    left join golden_dates on grouped.person_key = golden_dates.person_key
),

final as (
    select
        cast(person_key as varchar) as person_key,
        cast(house_key as varchar) as house_key,
        cast(relation as varchar) as relation,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(valid_to is null as boolean) as is_current,
        cast(coalesce(is_golden, false) as boolean) as is_golden,
        cast(source_record_keys as varchar[]) as source_record_keys,
        cast(systems as varchar[]) as systems
    from dated
)

select * from final
