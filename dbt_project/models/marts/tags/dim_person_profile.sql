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
        list_has_any(systems, ['ps_population', 'ps_hukou']) as on_population_register
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

-- 党员: 正式 when any record says so
party as (
{{ person_facts('stg_party_organisation__party_members', 'party', [
        "case when bool_or(party.member_type = '正式党员') then '正式党员'
              when bool_or(party.member_type = '预备党员') then '预备党员' end as party_member_type",
        'min(party.joined_on) as party_joined_on',
        'min(party.full_member_on) as party_full_on',
    ], 'party_record_keys') }}
),

-- 低保 / 低收入 / 特困: the departments' current rosters (living cases); since = the earliest start
dibao as (
{{ person_facts('stg_civil_affairs__dibao_members', 'dibao', ['min(dibao.start_date) as dibao_since'],
                    'dibao_record_keys') }}
),

low_income as (
{{ person_facts('stg_civil_affairs__low_income_persons', 'low', [
        'min(low.start_date) as low_income_since', 'max(low.end_date) as low_income_valid_until',
    ], 'low_income_record_keys') }}
),

tekun as (
{{ person_facts('stg_civil_affairs__tekun_persons', 'tekun', ['min(tekun.start_date) as tekun_since'],
                    'tekun_record_keys') }}
),

-- 残疾: the latest certificate; category and grade from the stated text, else from the certificate number's digits
disability_records as (
    select
        records.person_key,
        records.record_key,
        dis.issued_on,
        coalesce(
            case dis.disability_category
                when '视力残疾' then 1 when '听力残疾' then 2 when '言语残疾' then 3 when '肢体残疾' then 4
                when '智力残疾' then 5 when '精神残疾' then 6 when '多重残疾' then 7 end,
            try_cast(dis.cert_category_code as integer)
        ) as category_code,
        coalesce(
            case dis.disability_grade when '一级' then 1 when '二级' then 2 when '三级' then 3 when '四级' then 4 end,
            try_cast(dis.cert_grade_code as integer)
        ) as grade
    from records
    inner join {{ ref('stg_disabled_persons_federation__disabled_persons') }} as dis on records.record_key = dis.record_key
),

disability as (
    select
        person_key,
        arg_max(category_code, coalesce(issued_on, {{ earliest_date() }})) as disability_category_code,
        arg_max(grade, coalesce(issued_on, {{ earliest_date() }})) as disability_grade,
        min(issued_on) as disability_since,
        list(record_key order by record_key) as disability_record_keys
    from disability_records
    group by person_key
),

veteran as (
{{ person_facts('stg_veterans_affairs__veterans', 'vet', ['min(vet.discharged_on) as veteran_discharged_on'],
                    'veteran_record_keys') }}
),

-- 失业登记: registered, not ended, not in the future
unemployment as (
{{ person_facts('stg_human_resources__employment_registrations', 'emp', ['max(emp.registered_on) as unemployed_since'],
                    'unemployment_record_keys', with_as_of=true,
                    where="emp.registration_type = '失业登记' and emp.ended_on is null
      and (emp.registered_on is null or emp.registered_on <= as_of.as_of_date)") }}
),

-- 家庭医生: signed on or before as_of and not expired
family_doctor as (
{{ person_facts('stg_health_commission__family_doctor_signings', 'fd', [
        'max(fd.sign_date) as family_doctor_signed_on', 'max(fd.expire_date) as family_doctor_expires_on',
    ], 'family_doctor_record_keys', with_as_of=true,
    where='(fd.sign_date is null or fd.sign_date <= as_of.as_of_date)
      and (fd.expire_date is null or fd.expire_date >= as_of.as_of_date)') }}
),

graduate as (
{{ person_facts('stg_education__graduates', 'grad', ['max(grad.graduation_year) as graduation_year'],
                    'graduate_record_keys') }}
),

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
        party.party_member_type,
        party.party_joined_on,
        party.party_full_on,
        dibao.person_key is not null as dibao,
        dibao.dibao_since,
        low_income.person_key is not null as low_income,
        low_income.low_income_since,
        low_income.low_income_valid_until,
        -- 有效期至 before as_of: the 认定 is past its validity and a 复核 is due (the case is still on the roster)
        coalesce(low_income.low_income_valid_until < as_of.as_of_date, false) as low_income_review_due,
        tekun.person_key is not null as tekun,
        tekun.tekun_since,
        disability.person_key is not null as disabled,
        cast(disability.disability_category_code as integer) as disability_category_code,
        case disability.disability_category_code
            when 1 then '视力残疾' when 2 then '听力残疾' when 3 then '言语残疾' when 4 then '肢体残疾'
            when 5 then '智力残疾' when 6 then '精神残疾' when 7 then '多重残疾' end as disability_category,
        cast(disability.disability_grade as integer) as disability_grade,
        disability.disability_since,
        veteran.person_key is not null as veteran,
        veteran.veteran_discharged_on,
        unemployment.person_key is not null as unemployed,
        unemployment.unemployed_since,
        family_doctor.person_key is not null as family_doctor_signed,
        family_doctor.family_doctor_signed_on,
        family_doctor.family_doctor_expires_on,
        cast(graduate.graduation_year as integer) as graduation_year,
        coalesce(graduate.graduation_year = year(as_of.as_of_date), false) as is_graduate_this_year,
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
        coalesce(list_sort(list_distinct(relations.residence_record_keys)), []) as residence_record_keys,
        coalesce(party.party_record_keys, []) as party_record_keys,
        coalesce(dibao.dibao_record_keys, []) as dibao_record_keys,
        coalesce(low_income.low_income_record_keys, []) as low_income_record_keys,
        coalesce(tekun.tekun_record_keys, []) as tekun_record_keys,
        coalesce(disability.disability_record_keys, []) as disability_record_keys,
        coalesce(veteran.veteran_record_keys, []) as veteran_record_keys,
        coalesce(unemployment.unemployment_record_keys, []) as unemployment_record_keys,
        coalesce(family_doctor.family_doctor_record_keys, []) as family_doctor_record_keys,
        coalesce(graduate.graduate_record_keys, []) as graduate_record_keys
    from aged
    cross join as_of
    left join houses as hukou_house on aged.hukou_house_key = hukou_house.house_key
    left join houses as residence_house on aged.residence_house_key = residence_house.house_key
    left join households on aged.residence_house_key = households.residence_house_key
    left join lineage on aged.person_key = lineage.person_key
    left join relations on aged.person_key = relations.person_key
    left join party on aged.person_key = party.person_key
    left join dibao on aged.person_key = dibao.person_key
    left join low_income on aged.person_key = low_income.person_key
    left join tekun on aged.person_key = tekun.person_key
    left join disability on aged.person_key = disability.person_key
    left join veteran on aged.person_key = veteran.person_key
    left join unemployment on aged.person_key = unemployment.person_key
    left join family_doctor on aged.person_key = family_doctor.person_key
    left join graduate on aged.person_key = graduate.person_key
)

select * from final
