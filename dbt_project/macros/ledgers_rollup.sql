{#- The shape of a roll-up ledger (contract 3, scope rollup): rows at committee, street and district level.

    ledger_rollup(base, measures, dimensions=[], cells=none) -> a select statement (use it as a CTE body).

    base        a relation / CTE name: one row per counted thing with district_code, street_code, committee_code
                (rows without a committee are not counted at any level), the dimension columns and whatever the
                measures aggregate
    measures    list of {name: ..., expr: <aggregate SQL over base>}; additive counts (count / sum), never ratios
    dimensions  the breakdown columns (e.g. population_type, age_band); every level is broken down the same way
    cells       optional relation / CTE name listing the dimension combinations every area gets (zero-filled);
                the combinations that occur in base are always added, so nothing counted is left out

    Every level is computed from the base rows in one GROUP BY GROUPING SETS, not by summing the level below, so
    the dbt test rollup_reconciles (street = sum of its committees, district = sum of its streets) is a real
    check. Areas: every committee of dim_area with its street and district, so a committee with nothing to count
    still has its rows (zeros). Output: level, district/street/committee code and name, area_code (the row's own
    area), the dimensions, the measures (bigint, 0 when nothing is counted).
-#}
{% macro ledger_rollup(base, measures, dimensions=[], cells=none) %}
{%- set dims = dimensions | list -%}
{%- set dim_list = (', ' ~ (dims | join(', '))) if dims else '' -%}
with rollup_totals as (
    select
        case
            when grouping(committee_code) = 0 then 'committee'
            when grouping(street_code) = 0 then 'street'
            else 'district'
        end as level,
        coalesce(
            case when grouping(committee_code) = 0 then committee_code end,
            case when grouping(street_code) = 0 then street_code end,
            district_code
        ) as area_code{{ dim_list }},
        {%- for m in measures %}
        {{ m.expr }} as {{ m.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ base }}
    where committee_code is not null
    group by grouping sets (
        (district_code, street_code, committee_code{{ dim_list }}),
        (district_code, street_code{{ dim_list }}),
        (district_code{{ dim_list }})
    )
),

rollup_area_names as (
    select code, name from {{ ref('dim_area') }} where level in ('district', 'street', 'committee')
),

rollup_committees as (
    select district_code, street_code, code as committee_code
    from {{ ref('dim_area') }}
    where level = 'committee'
),

rollup_areas as (
    select 'committee' as level, district_code, street_code, committee_code, committee_code as area_code
    from rollup_committees
    union all
    select distinct 'street', district_code, street_code, null, street_code
    from rollup_committees
    union all
    select distinct 'district', district_code, null, null, district_code
    from rollup_committees
),

rollup_cells as (
    {%- if cells %}
    select {{ dims | join(', ') }} from {{ cells }}
    union
    select distinct {{ dims | join(', ') }} from {{ base }} where committee_code is not null
    {%- elif dims %}
    select distinct {{ dims | join(', ') }} from {{ base }} where committee_code is not null
    {%- else %}
    select 1 as no_dimension
    {%- endif %}
),

rollup_grid as (
    select rollup_areas.*, rollup_cells.* from rollup_areas cross join rollup_cells
)

select
    rollup_grid.level,
    rollup_grid.district_code,
    districts.name as district_name,
    rollup_grid.street_code,
    streets.name as street_name,
    rollup_grid.committee_code,
    committees.name as committee_name,
    rollup_grid.area_code,
    {%- for d in dims %}
    rollup_grid.{{ d }},
    {%- endfor %}
    {%- for m in measures %}
    cast(coalesce(rollup_totals.{{ m.name }}, 0) as bigint) as {{ m.name }}{{ ',' if not loop.last }}
    {%- endfor %}
from rollup_grid
left join rollup_totals
    on rollup_grid.level = rollup_totals.level
    and rollup_grid.area_code = rollup_totals.area_code
    {%- for d in dims %}
    and rollup_grid.{{ d }} is not distinct from rollup_totals.{{ d }}
    {%- endfor %}
left join rollup_area_names as districts on rollup_grid.district_code = districts.code
left join rollup_area_names as streets on rollup_grid.street_code = streets.code
left join rollup_area_names as committees on rollup_grid.committee_code = committees.code
{% endmacro %}

{#- 年龄段 of the population report (实有人口统计表): zero-padded so that the labels sort in age order. -#}
{% macro ledger_age_band(age) %}
    case
        when {{ age }} is null then '年龄不详'
        when {{ age }} < 7 then '00-06岁'
        when {{ age }} < 18 then '07-17岁'
        when {{ age }} < 35 then '18-34岁'
        when {{ age }} < 60 then '35-59岁'
        when {{ age }} < 70 then '60-69岁'
        when {{ age }} < 80 then '70-79岁'
        else '80岁及以上'
    end
{% endmacro %}

{#- 老年人口 age bands (老年人口统计表): 60-69 / 70-79 / 80-89 / 90-99 / 100+, null below 60. -#}
{% macro ledger_elderly_age_band(age) %}
    case
        when {{ age }} is null or {{ age }} < 60 then null
        when {{ age }} < 70 then '60-69岁'
        when {{ age }} < 80 then '70-79岁'
        when {{ age }} < 90 then '80-89岁'
        when {{ age }} < 100 then '90-99岁'
        else '100岁及以上'
    end
{% endmacro %}
