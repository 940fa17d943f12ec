{#- A care roster (关爱对象名册) of the persons holding one current tag: who they are, where they live, their
    situation (同住人数, 残疾, 家庭医生, 老年综合津贴) and their visits (最近探访, 近30/90天次数, 走访频次要求, 逾期).

    ledger_care_roster(tag_code, extra_columns=[]) -> a select statement (use it as a CTE body).
    extra_columns: SQL expressions over the CTE `profiles` (dim_person_profile, alias p) added as more columns.
    Rows: living persons with the tag whose residence committee is known (the roster is filed by that committee).
-#}
{% macro ledger_care_roster(tag_code, extra_columns=[]) %}
with tagged as (
    select person_key
    from {{ ref('fct_person_tag_current') }}
    where tag_code = '{{ tag_code }}'
),

persons as (
    select person_key, name, id_number, phone, residence_address
    from {{ ref('dim_person') }}
),

profiles as (
    select *
    from {{ ref('dim_person_profile') }}
    where status = 'living' and committee_code is not null
),

areas as (
    select code, name from {{ ref('dim_area') }}
),

all_tags as (
    select person_key, string_agg(tag_name, '、' order by tag_code) as tag_names
    from {{ ref('fct_person_tag_current') }}
    group by person_key
),

-- 老年综合津贴: the person's latest allowance record (发放中 / 停发); none when no configured system stages the 民政
-- 老年综合津贴 model
allowances as (
    {%- if model_configured('stg_civil_affairs__elderly_allowances') %}
    select records.person_key, allowance.allowance_tier, allowance.monthly_amount, allowance.status
    from {{ ref('fct_person_source_records') }} as records
    inner join {{ ref('stg_civil_affairs__elderly_allowances') }} as allowance
        on records.record_key = allowance.record_key
    where records.role = 'subject'
    qualify row_number() over (
        partition by records.person_key
        order by allowance.status = '发放中' desc, allowance.updated_at desc nulls last, records.record_key desc
    ) = 1
    {%- else %}
    {{ empty_relation([['person_key', 'varchar'], ['allowance_tier', 'varchar'], ['monthly_amount', 'decimal(12, 2)'],
                       ['status', 'varchar']]) }}
    {%- endif %}
),

latest_visits as (
    select
        person_key, last_visited_on, last_visit_department, last_visit_method, visits_last_30_days,
        visits_last_90_days, visit_count
    from {{ ref('fct_person_latest_visit') }}
),

visit_rules as (
    select person_key, rule_label, max_days, due_on, is_overdue
    from {{ ref('fct_visit_overdue') }}
)

select
    p.district_code,
    districts.name as district_name,
    p.street_code,
    streets.name as street_name,
    p.committee_code,
    committees.name as committee_name,
    p.person_key,
    persons.name,
    p.sex,
    p.birth_date,
    p.age,
    persons.id_number,
    persons.phone,
    persons.residence_address,
    p.population_type,
    p.household_living_count,
    case when p.disabled then concat_ws(' ', p.disability_category,
        case p.disability_grade when 1 then '一级' when 2 then '二级' when 3 then '三级' when 4 then '四级' end) end
        as disability,
    coalesce(p.family_doctor_signed, false) as family_doctor_signed,
    case when allowances.status = '发放中' then allowances.allowance_tier end as allowance_tier,
    case when allowances.status = '发放中' then allowances.monthly_amount end as allowance_amount,
    all_tags.tag_names,
    {%- for expression in extra_columns %}
    {{ expression }},
    {%- endfor %}
    latest_visits.last_visited_on,
    latest_visits.last_visit_department,
    latest_visits.last_visit_method,
    coalesce(latest_visits.visits_last_30_days, 0) as visits_last_30_days,
    coalesce(latest_visits.visits_last_90_days, 0) as visits_last_90_days,
    coalesce(latest_visits.visit_count, 0) as visit_count,
    visit_rules.rule_label as visit_rule,
    visit_rules.max_days as visit_max_days,
    visit_rules.due_on as visit_due_on,
    coalesce(visit_rules.is_overdue, false) as visit_overdue
from tagged
inner join profiles as p on tagged.person_key = p.person_key
left join persons on p.person_key = persons.person_key
left join areas as districts on p.district_code = districts.code
left join areas as streets on p.street_code = streets.code
left join areas as committees on p.committee_code = committees.code
left join all_tags on p.person_key = all_tags.person_key
left join allowances on p.person_key = allowances.person_key
left join latest_visits on p.person_key = latest_visits.person_key
left join visit_rules on p.person_key = visit_rules.person_key
{% endmacro %}

{#- The rows of a visit model (fct_visit, fct_visit_repeat: visited_on, visit_week) of the last
    var('visit_log_weeks', 4) weeks (Monday-based, the week of as_of included) up to as_of. A CTE body. -#}
{% macro ledger_recent_visit_weeks(model) -%}
    select recent.*
    from {{ ref(model) }} as recent
    where recent.visited_on <= {{ as_of() }}
      and recent.visit_week >= cast(date_trunc('week', {{ as_of() }}) as date)
          - to_weeks({{ var('visit_log_weeks', 4) }} - 1)
{%- endmacro %}
