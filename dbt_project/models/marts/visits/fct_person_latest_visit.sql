{#- 最近走访: one row per visited person, the latest visit on or before as_of() and the counts of visits in
    the 30 and 90 days up to as_of. Visits dated after as_of are not counted (the build's "today" is as_of). -#}


with visits as (
    select visit_key, visited_on, visitor_name, visitor_department, method, person_key, house_key, committee_code
    from {{ ref('fct_visit') }}
    where person_key is not null and visited_on <= {{ as_of() }}
),

ranked as (
    select
        *,
        -- the latest visit; the same day's visits in visit_key order
        row_number() over (partition by person_key order by visited_on desc, visit_key desc) as recency
    from visits
),

counted as (
    select
        person_key,
        count(*) as visit_count,
        count(*) filter (where visited_on > {{ as_of() }} - interval 30 day) as visits_last_30_days,
        count(*) filter (where visited_on > {{ as_of() }} - interval 90 day) as visits_last_90_days,
        count(distinct visitor_department) as department_count,
        min(visited_on) as first_visited_on
    from visits
    group by person_key
),

final as (
    select
        cast(counted.person_key as varchar) as person_key,
        cast(ranked.visited_on as date) as last_visited_on,
        cast(ranked.visitor_department as varchar) as last_visit_department,
        cast(ranked.method as varchar) as last_visit_method,
        cast(counted.visits_last_30_days as integer) as visits_last_30_days,
        cast(counted.visits_last_90_days as integer) as visits_last_90_days,
        cast(counted.visit_count as integer) as visit_count,
        cast(ranked.visit_key as varchar) as last_visit_key,
        cast(ranked.visitor_name as varchar) as last_visitor_name,
        cast(date_diff('day', ranked.visited_on, {{ as_of() }}) as integer) as days_since_last_visit,
        cast(counted.first_visited_on as date) as first_visited_on,
        cast(counted.department_count as integer) as department_count,
        cast(ranked.house_key as varchar) as house_key,
        cast(ranked.committee_code as varchar) as committee_code
    from counted
    inner join ranked on counted.person_key = ranked.person_key and ranked.recency = 1
)

select * from final
