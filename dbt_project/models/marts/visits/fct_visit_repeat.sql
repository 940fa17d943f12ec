{#- 重复走访: a visit to a household that another department already visited within the previous
    var('visit_repeat_window_days', 7) days (0 = the same day). The household is the visited house (fct_visit.house_key),
    else the person when the house is unknown; a visit with neither cannot be compared and is left out. One row per
    repeated visit, paired with the nearest earlier visit of another department; the same day's visits are ordered
    by visit_key, so of two same-day visits only the later one in that order is the repeat. -#}

{%- set window_days = var('visit_repeat_window_days', 7) %}

with visits as (
    select
        visit_key, visit_id, visited_on, visitor_name, visitor_department, method, person_key, house_key,
        district_code, street_code, committee_code, visit_month, visit_week,
        coalesce(house_key, 'person:' || person_key) as household_key,
        case when house_key is not null then 'house' when person_key is not null then 'person' end as household_kind
    from {{ ref('fct_visit') }}
    where house_key is not null or person_key is not null
),

pairs as (
    select
        later.visit_key,
        earlier.visit_key as prior_visit_key,
        earlier.visited_on as prior_visited_on,
        count(*) over (partition by later.visit_key) as prior_visits_in_window
    from visits as later
    inner join visits as earlier
        on later.household_key = earlier.household_key
        and later.visitor_department <> earlier.visitor_department
        and earlier.visited_on between later.visited_on - to_days({{ window_days }}) and later.visited_on
        and (earlier.visited_on < later.visited_on or earlier.visit_key < later.visit_key)
),

nearest as (
    select
        visit_key,
        arg_max(prior_visit_key, (prior_visited_on, prior_visit_key)) as prior_visit_key,
        max(prior_visits_in_window) as prior_visits_in_window
    from pairs
    group by visit_key
),

final as (
    select
        cast(later.visit_key as varchar) as visit_key,
        cast(later.visit_id as varchar) as visit_id,
        cast(later.visited_on as date) as visited_on,
        cast(later.visitor_department as varchar) as visitor_department,
        cast(later.visitor_name as varchar) as visitor_name,
        cast(later.method as varchar) as method,
        cast(later.person_key as varchar) as person_key,
        cast(later.household_key as varchar) as household_key,
        cast(later.household_kind as varchar) as household_kind,
        cast(later.house_key as varchar) as house_key,
        cast(later.district_code as varchar) as district_code,
        cast(later.street_code as varchar) as street_code,
        cast(later.committee_code as varchar) as committee_code,
        cast(later.visit_month as date) as visit_month,
        cast(later.visit_week as date) as visit_week,
        cast(earlier.visit_key as varchar) as prior_visit_key,
        cast(earlier.visit_id as varchar) as prior_visit_id,
        cast(earlier.visited_on as date) as prior_visited_on,
        cast(earlier.visitor_department as varchar) as prior_visitor_department,
        cast(earlier.visitor_name as varchar) as prior_visitor_name,
        cast(earlier.method as varchar) as prior_method,
        cast(earlier.person_key as varchar) as prior_person_key,
        cast(date_diff('day', earlier.visited_on, later.visited_on) as integer) as days_apart,
        cast(later.person_key is not distinct from earlier.person_key as boolean) as same_person,
        cast(nearest.prior_visits_in_window as integer) as prior_visits_in_window
    from nearest
    inner join visits as later on nearest.visit_key = later.visit_key
    inner join visits as earlier on nearest.prior_visit_key = earlier.visit_key
)

select * from final
