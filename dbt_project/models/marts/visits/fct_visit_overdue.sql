{#- 逾期未走访: every living person whose current tags call for a visit frequency (seed visit_frequency_rules),
    with the strictest rule that applies, the last visit on or before as_of() and how many days it is
    overdue. A person never visited is overdue. One row per person; filter is_overdue for the overdue list. -#}


with rules as (
    select tag_code, max_days, label from {{ ref('visit_frequency_rules') }}
),

tagged as (
    select tags.person_key, tags.tag_code, tags.tag_name, rules.max_days, rules.label
    from {{ ref('fct_person_tag_current') }} as tags
    inner join rules on tags.tag_code = rules.tag_code
),

strictest as (
    select
        person_key,
        -- the shortest interval governs; ties in tag_code order
        arg_min(tag_code, (max_days, tag_code)) as rule_tag_code,
        arg_min(tag_name, (max_days, tag_code)) as rule_tag_name,
        arg_min(label, (max_days, tag_code)) as rule_label,
        min(max_days) as max_days,
        list(tag_code order by max_days, tag_code) as tag_codes,
        list(tag_name order by max_days, tag_code) as tag_names
    from tagged
    group by person_key
),

profiles as (
    select person_key, district_code, street_code, committee_code, residence_house_key
    from {{ ref('dim_person_profile') }}
    -- the tags' rules say living already; a visit is owed to the living only
    where status = 'living'
),

latest as (
    select person_key, last_visited_on, last_visit_department, last_visit_method, visits_last_30_days,
        visits_last_90_days, visit_count
    from {{ ref('fct_person_latest_visit') }}
),

assessed as (
    select
        strictest.*,
        profiles.district_code,
        profiles.street_code,
        profiles.committee_code,
        profiles.residence_house_key,
        latest.last_visited_on,
        latest.last_visit_department,
        latest.last_visit_method,
        coalesce(latest.visit_count, 0) as visit_count,
        date_diff('day', latest.last_visited_on, {{ as_of() }}) as days_since_last_visit,
        cast(latest.last_visited_on + to_days(strictest.max_days) as date) as due_on
    from strictest
    inner join profiles on strictest.person_key = profiles.person_key
    left join latest on strictest.person_key = latest.person_key
),

final as (
    select
        cast(person_key as varchar) as person_key,
        cast(district_code as varchar) as district_code,
        cast(street_code as varchar) as street_code,
        cast(committee_code as varchar) as committee_code,
        cast(residence_house_key as varchar) as house_key,
        cast(rule_tag_code as varchar) as rule_tag_code,
        cast(rule_tag_name as varchar) as rule_tag_name,
        cast(rule_label as varchar) as rule_label,
        cast(max_days as integer) as max_days,
        cast(tag_codes as varchar[]) as tag_codes,
        cast(tag_names as varchar[]) as tag_names,
        cast(last_visited_on as date) as last_visited_on,
        cast(last_visit_department as varchar) as last_visit_department,
        cast(last_visit_method as varchar) as last_visit_method,
        cast(visit_count as integer) as visit_count,
        cast(days_since_last_visit as integer) as days_since_last_visit,
        cast(due_on as date) as due_on,
        cast(last_visited_on is null as boolean) as never_visited,
        cast(last_visited_on is null or days_since_last_visit > max_days as boolean) as is_overdue,
        cast(case when days_since_last_visit > max_days then days_since_last_visit - max_days end as integer)
            as days_overdue,
        cast({{ as_of() }} as date) as as_of
    from assessed
)

select * from final
