{#- The closing select of a ledger: every column its YAML declares, in the YAML's order, cast to the column's
    data_type, so the contract is typed once (in the YAML) instead of again as a list of casts.

    ledger_select(relation, expressions={}, where=none, qualifier=none, area_names_of=none)
        -> `select cast(<expr> as <data_type>) as <column>, ... from <relation> [where <where>]`
    relation     what the columns come from: a CTE, a ref(), or a from clause with its joins (then an unqualified
                 column must be unique among the joined relations: DuckDB refuses an ambiguous one)
    expressions  {column: SQL expression} for the columns that are not a column of that name in relation
                 (e.g. a renamed, qualified or computed one); every other column is read by its own name
    where        an optional filter (e.g. the subset of rpt_ledger__house_basics a house ledger lists)
    qualifier    the alias every other column is read from (`<qualifier>.<column>`), when the from clause joins
                 relations that share column names (person_key)
    area_names_of  an alias of relation with district_code, street_code and committee_code: joins dim_area three
                 times (districts, streets, committees) and reads district_name, street_name and committee_name
                 from there unless expressions say otherwise

    The columns come from the model's own node (model.columns in the compile context: name, data_type, in YAML
    order). A column without a data_type, or an expression naming no declared column, is a compile error naming the
    model, so a typo cannot drop or add a column silently. dbt compiles a unit test without the tested model's
    columns, so a model with unit tests keeps its casts written out (rpt_ledger__house_basics,
    rpt_ledger__social_assistance_stats). -#}
{% macro ledger_select(relation, expressions={}, where=none, qualifier=none, area_names_of=none) -%}
{%- if area_names_of -%}
    {%- set area_expressions = {'district_name': 'districts.name', 'street_name': 'streets.name', 'committee_name': 'committees.name'} -%}
    {%- do area_expressions.update(expressions) -%}
    {%- set expressions = area_expressions -%}
{%- endif -%}
{%- if execute and model.resource_type == 'unit_test' -%}
    {{ exceptions.raise_compiler_error("ledger_select: " ~ model.tested_node_unique_id ~ " has a unit test, which dbt compiles without the model's columns (its node has none and the graph is empty): write that model's closing casts out") }}
{%- endif -%}
{%- set columns = model.columns.values() | list -%}
{%- if execute -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("ledger_select: model " ~ model.name ~ " declares no columns in its YAML") }}
    {%- endif -%}
    {%- set declared = columns | map(attribute='name') | list -%}
    {%- for name in expressions -%}
        {%- if name not in declared -%}
            {{ exceptions.raise_compiler_error("ledger_select: model " ~ model.name ~ " has an expression for '" ~ name ~ "', which its YAML does not declare") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for column in columns -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error("ledger_select: column '" ~ column.name ~ "' of model " ~ model.name ~ " has no data_type in its YAML") }}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
select
    {%- for column in columns %}
    cast({{ expressions.get(column.name, (qualifier ~ '.' ~ column.name) if qualifier else column.name) }} as {{ column.data_type }}) as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ relation | trim }}
{%- if area_names_of %}
{%- for level, alias in [('district', 'districts'), ('street', 'streets'), ('committee', 'committees')] %}
left join (select code, name from {{ ref('dim_area') }}) as {{ alias }} on {{ area_names_of }}.{{ level }}_code = {{ alias }}.code
{%- endfor %}
{%- endif %}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}
