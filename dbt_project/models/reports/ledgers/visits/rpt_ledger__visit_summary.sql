{#- 走访记录汇总: visits (fct_visit) per committee of the visited house, month, 走访部门 and 走访方式, over the
    var('visit_summary_months', 12) months up to the month of as_of (visits after as_of are not counted). -#}

with as_of as (
    select
        {{ as_of() }} as as_of_date,
        cast(date_trunc('month', {{ as_of() }}) as date)
            - to_months({{ var('visit_summary_months', 12) }} - 1) as first_month
),

visits as (
    select
        visits.visit_key, visits.visit_month, visits.visitor_department, visits.method, visits.person_key,
        visits.house_key, visits.follow_up, visits.appeal, visits.district_code, visits.street_code,
        visits.committee_code
    from {{ ref('fct_visit') }} as visits
    cross join as_of
    where visits.visited_on <= as_of.as_of_date and visits.visit_month >= as_of.first_month
),

repeats as (
    select visit_key from {{ ref('fct_visit_repeat') }}
),

summary as (
    select
        visits.district_code,
        visits.street_code,
        visits.committee_code,
        visits.visit_month,
        visits.visitor_department,
        visits.method,
        count(*) as visits,
        count(distinct visits.person_key) as persons_visited,
        count(distinct visits.house_key) as households_visited,
        count(*) filter (where visits.follow_up) as follow_ups,
        count(*) filter (where visits.appeal is not null) as with_appeal,
        count(repeats.visit_key) as repeated_visits
    from visits
    left join repeats on visits.visit_key = repeats.visit_key
    group by all
)

{{ ledger_select('summary', area_names_of='summary') }}
