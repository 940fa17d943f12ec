{#- A roll-up ledger (scope rollup) adds up: every street row equals the sum of its committee rows and every district
    row the sum of its street rows, for every numeric column (except `exclude`), per combination of `dimensions`;
    a level with rows but no parent row (or a parent row with no children) fails too. The levels have the contract's
    shape: committee rows carry all three codes, street rows no committee_code, district rows neither. Each failing
    row names the check, the area, the column and the two values. -#}
{% test rollup_reconciles(model, dimensions=[], exclude=[]) %}
{%- set numeric_prefixes = ['tinyint', 'smallint', 'integer', 'bigint', 'hugeint', 'int', 'ubigint', 'uinteger',
                            'decimal', 'numeric', 'double', 'float', 'real'] -%}
{%- set measures = [] -%}
{%- set columns = adapter.get_columns_in_relation(model) if execute else [] -%}
{%- for column in columns -%}
    {%- set dtype = column.dtype | lower -%}
    {%- set ns = namespace(numeric=false) -%}
    {%- for prefix in numeric_prefixes -%}
        {%- if dtype.startswith(prefix) -%}{%- set ns.numeric = true -%}{%- endif -%}
    {%- endfor -%}
    {%- if ns.numeric and column.name not in exclude and column.name not in dimensions -%}
        {%- do measures.append(column.name) -%}
    {%- endif -%}
{%- endfor -%}
{%- if execute and not measures -%}
    {{ exceptions.raise_compiler_error("rollup_reconciles on " ~ model ~ ": no numeric column to reconcile") }}
{%- endif -%}
{%- set dim_select = (', ' ~ (dimensions | join(', '))) if dimensions else '' -%}
{%- set dim_join -%}
    {%- for d in dimensions %} and children.{{ d }} is not distinct from parents.{{ d }}{% endfor -%}
{%- endset -%}

with ledger as (
    select * from {{ model }}
),

shape as (
    select 'level shape' as check_name, level, coalesce(committee_code, street_code, district_code) as area_code,
           cast(null as varchar) as measure, cast(null as double) as parent_value, cast(null as double) as children_sum
    from ledger
    where level is null
        or level not in ('committee', 'street', 'district')
        or district_code is null
        or (level = 'committee' and (street_code is null or committee_code is null))
        or (level = 'street' and (street_code is null or committee_code is not null))
        or (level = 'district' and (street_code is not null or committee_code is not null))
),

{% for child_level, parent_level, key in [('committee', 'street', 'street_code'), ('street', 'district', 'district_code')] %}
{{ parent_level }}_children as (
    select {{ key }}{{ dim_select }},
        {%- for m in measures %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ledger
    where level = '{{ child_level }}'
    group by {{ key }}{{ dim_select }}
),

{{ parent_level }}_parents as (
    select {{ key }}{{ dim_select }},
        {%- for m in measures %}
        {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ledger
    where level = '{{ parent_level }}'
),

{{ parent_level }}_compared as (
    select
        coalesce(parents.{{ key }}, children.{{ key }}) as area_code,
        parents.{{ key }} is null as parent_missing,
        children.{{ key }} is null as children_missing,
        {%- for m in measures %}
        cast(parents.{{ m }} as double) as parent_{{ m }},
        cast(children.{{ m }} as double) as children_{{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ parent_level }}_parents as parents
    full outer join {{ parent_level }}_children as children
        on children.{{ key }} = parents.{{ key }}{{ dim_join }}
),

{{ parent_level }}_failures as (
    {%- for m in measures %}
    select '{{ parent_level }} = sum of {{ child_level }} rows' as check_name, '{{ parent_level }}' as level, area_code,
           '{{ m }}' as measure, parent_{{ m }} as parent_value, children_{{ m }} as children_sum
    from {{ parent_level }}_compared
    where (parent_missing and coalesce(children_{{ m }}, 0) <> 0)
        or (children_missing and coalesce(parent_{{ m }}, 0) <> 0)
        or (not parent_missing and not children_missing and parent_{{ m }} is distinct from children_{{ m }})
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),
{% endfor %}

failures as (
    select * from shape
    union all
    select * from street_failures
    union all
    select * from district_failures
)

select * from failures

{% endtest %}
