{#- 重复走访月报: visits, households visited and repeated visits (fct_visit_repeat) per committee and month, with street,
    district and city rows, against a baseline period of the same area so that "repeated visits fell by 24%" is a
    number per committee and month:

        repeated_visits_change = repeated_visits / baseline_repeated_visits_per_month - 1      (-0.24 = 24% fewer)
        repeat_rate_change     = repeat_rate / baseline_repeat_rate - 1                          (per visit made)

    The baseline is the period before the shared visit log: vars visit_repeat_baseline_from / visit_repeat_baseline_to
    (dates, inclusive, whole months). Without them: the three calendar months starting six months before the month
    of as_of() (as_of 2026-11-01 -> 2026-05-01 .. 2026-07-31). Visits after as_of are not counted. Ratios are
    rounded to 4 decimals. -#}

{%- set baseline_from = var('visit_repeat_baseline_from', none) %}
{%- set baseline_to = var('visit_repeat_baseline_to', none) %}

with period as (
    select
        {%- if baseline_from %}
        cast(date_trunc('month', cast('{{ baseline_from }}' as date)) as date) as baseline_from,
        {%- else %}
        cast(date_trunc('month', {{ as_of() }}) - interval 6 month as date) as baseline_from,
        {%- endif %}
        {%- if baseline_to %}
        cast(last_day(cast('{{ baseline_to }}' as date)) as date) as baseline_to
        {%- else %}
        cast(date_trunc('month', {{ as_of() }}) - interval 3 month - interval 1 day as date) as baseline_to
        {%- endif %}
),

visits as (
    select
        visits.visit_month,
        visits.district_code,
        visits.street_code,
        visits.committee_code,
        coalesce(visits.house_key, 'person:' || visits.person_key) as household_key,
        repeats.visit_key is not null as is_repeat
    from {{ ref('fct_visit') }} as visits
    left join {{ ref('fct_visit_repeat') }} as repeats on visits.visit_key = repeats.visit_key
    where visits.visited_on <= {{ as_of() }}
),

{#- committee, street, district and city rows -#}
{%- set area_sets = ["district_code, street_code, committee_code", "district_code, street_code", "district_code", ""] %}
{%- set level = "case grouping(district_code, street_code, committee_code)
            when 0 then 'committee' when 1 then 'street' when 3 then 'district' else 'city' end" %}

monthly as (
    select
        {{ level }} as level,
        visit_month,
        district_code,
        street_code,
        committee_code,
        count(*) as visits,
        count(distinct household_key) as households_visited,
        count(*) filter (where is_repeat) as repeated_visits,
        count(distinct household_key) filter (where is_repeat) as repeated_households
    from visits
    group by grouping sets (
        {%- for set in area_sets %}
        (visit_month{{ ', ' ~ set if set }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
),

baseline as (
    select
        {{ level }} as level,
        district_code,
        street_code,
        committee_code,
        count(*) as baseline_visits,
        count(*) filter (where is_repeat) as baseline_repeated_visits
    from visits
    where visit_month between (select baseline_from from period) and (select baseline_to from period)
    group by grouping sets (
        {%- for set in area_sets %}
        ({{ set }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
),

months as (
    select cast(month as date) as visit_month
    from range(
        (select min(visit_month) from visits),
        (select max(visit_month) from visits) + interval 1 month,
        interval 1 month
    ) as t(month)
),

-- every area with a visit, every month of the log: a month without visits is a row of zeros
areas as (
    select distinct level, district_code, street_code, committee_code from monthly
),

filled as (
    select
        areas.level,
        areas.district_code,
        areas.street_code,
        areas.committee_code,
        months.visit_month,
        coalesce(monthly.visits, 0) as visits,
        coalesce(monthly.households_visited, 0) as households_visited,
        coalesce(monthly.repeated_visits, 0) as repeated_visits,
        coalesce(monthly.repeated_households, 0) as repeated_households
    from areas
    cross join months
    left join monthly
        on areas.level = monthly.level
        and months.visit_month = monthly.visit_month
        and areas.district_code is not distinct from monthly.district_code
        and areas.street_code is not distinct from monthly.street_code
        and areas.committee_code is not distinct from monthly.committee_code
),

compared as (
    select
        filled.*,
        period.baseline_from,
        period.baseline_to,
        date_diff('month', period.baseline_from, period.baseline_to) + 1 as baseline_months,
        coalesce(baseline.baseline_visits, 0) as baseline_visits,
        coalesce(baseline.baseline_repeated_visits, 0) as baseline_repeated_visits,
        lag(filled.repeated_visits) over (
            partition by filled.level, filled.district_code, filled.street_code, filled.committee_code
            order by filled.visit_month
        ) as previous_month_repeated_visits
    from filled
    cross join period
    left join baseline
        on filled.level = baseline.level
        and filled.district_code is not distinct from baseline.district_code
        and filled.street_code is not distinct from baseline.street_code
        and filled.committee_code is not distinct from baseline.committee_code
),

rated as (
    select
        *,
        repeated_visits / nullif(visits, 0) as repeat_rate,
        baseline_repeated_visits / nullif(baseline_visits, 0) as baseline_repeat_rate,
        baseline_repeated_visits / baseline_months as baseline_repeated_visits_per_month
    from compared
),

final as (
    select
        cast(level as varchar) as level,
        cast(case level
            when 'committee' then committee_code when 'street' then street_code
            when 'district' then district_code else '310000'
        end as varchar) as area_code,
        cast(district_code as varchar) as district_code,
        cast(street_code as varchar) as street_code,
        cast(committee_code as varchar) as committee_code,
        cast(visit_month as date) as visit_month,
        cast(visits as integer) as visits,
        cast(households_visited as integer) as households_visited,
        cast(repeated_visits as integer) as repeated_visits,
        cast(repeated_households as integer) as repeated_households,
        cast(round(repeat_rate, 4) as double) as repeat_rate,
        cast(visit_month between baseline_from and baseline_to as boolean) as in_baseline,
        cast(baseline_from as date) as baseline_from,
        cast(baseline_to as date) as baseline_to,
        cast(baseline_months as integer) as baseline_months,
        cast(baseline_visits as integer) as baseline_visits,
        cast(baseline_repeated_visits as integer) as baseline_repeated_visits,
        cast(round(baseline_repeat_rate, 4) as double) as baseline_repeat_rate,
        cast(round(baseline_repeated_visits_per_month, 4) as double) as baseline_repeated_visits_per_month,
        cast(round(repeated_visits / nullif(baseline_repeated_visits_per_month, 0) - 1, 4) as double)
            as repeated_visits_change,
        cast(round(repeat_rate / nullif(baseline_repeat_rate, 0) - 1, 4) as double) as repeat_rate_change,
        cast(previous_month_repeated_visits as integer) as previous_month_repeated_visits,
        cast(round(repeated_visits / nullif(previous_month_repeated_visits, 0) - 1, 4) as double)
            as repeated_visits_change_vs_previous_month
    from rated
)

select * from final
