{#- The column tests of a model (not_null, unique, accepted_values declared on its columns in YAML) run as ONE
    test: one scan of the model counts the nulls and the values outside their accepted lists of every column at
    once, plus one query per unique test. A row per column test that fails, named as
    dbt names it (e.g. not_null_dim_house_house_key), with its failing rows (dbt's own counts: for accepted_values
    the distinct values outside the list).

    Why: dbt runs each column test as its own node, ~50 ms of overhead each whatever the table's size; the 1,003
    column tests were half of dbt's node time on the demo city and, scanning the same table once per column, most of
    the 64 s of tests in the 1M build. relationships tests (104) stay dbt's own: they read a second model, which a
    test attached to one model cannot wait for. The column tests stay declared where they document the column; the build excludes them
    (shequyun.core.duck.FOLDED_COLUMN_TESTS, the same four names as `folded` below) and runs this test instead, declared `column_tests` on each such model
    (severity warn ones in a second, `column_tests` with warnings: true and severity warn). A `dbt build` by hand runs both.
    Nothing here is per model: a model gains a column test in YAML and this test checks it. -#}
{% test column_tests(model, warnings=false) %}
{#- the column tests of severity warn run in a second column_tests, warnings: true and itself severity warn -#}
{%- set severity = 'warn' if warnings else 'error' -%}
{%- set folded = ['not_null', 'unique', 'accepted_values'] -%}
{%- if not execute -%}
select null::varchar as test_name, 0::bigint as failures where false
{%- else -%}
{%- set owner = graph.nodes.values() | selectattr('resource_type', 'in', ['model', 'seed', 'snapshot'])
                 | selectattr('schema', 'equalto', model.schema) | selectattr('alias', 'equalto', model.identifier)
                 | list -%}
{%- if owner | length != 1 -%}
    {{ exceptions.raise_compiler_error('column_tests: no single node builds ' ~ model) }}
{%- endif -%}
{%- set owner = owner[0] -%}
{%- set tests = [] -%}
{%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'test') | sort(attribute='name') -%}
    {%- if node.attached_node == owner.unique_id and node.test_metadata and node.test_metadata.name in folded
          and (node.config.severity | lower) == severity -%}
        {%- do tests.append(node) -%}
    {%- endif -%}
{%- endfor -%}
{%- set scanned = tests | selectattr('test_metadata.name', 'in', ['not_null', 'accepted_values']) | list -%}
with
{%- if scanned %}
scanned as (
    select
        {%- for t in scanned %}
        {%- set column = t.test_metadata.kwargs.column_name %}
        {%- if t.test_metadata.name == 'not_null' %}
        count(*) filter (where {{ column }} is null) as f{{ loop.index }}
        {%- else %}
        {%- set quote = t.test_metadata.kwargs.get('quote', true) %}
        count(distinct {{ column }}) filter (where {{ column }} not in (
            {%- for value in t.test_metadata.kwargs['values'] -%}
            {% if quote %}'{{ value | string | replace("'", "''") }}'{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
            {%- endfor -%})) as f{{ loop.index }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),
{%- endif %}
results as (
    select null::varchar as test_name, 0::bigint as failures where false
    {%- for t in scanned %}
    union all select '{{ t.name }}', f{{ loop.index }} from scanned
    {%- endfor %}
    {%- for t in tests if t.test_metadata.name == 'unique' %}
    {%- set column = t.test_metadata.kwargs.column_name %}
    union all select '{{ t.name }}', (select count(*) from (
        select {{ column }} from {{ model }} where {{ column }} is not null group by {{ column }} having count(*) > 1))
    {%- endfor %}
)
select test_name, failures from results where failures > 0
{%- endif %}
{% endtest %}
