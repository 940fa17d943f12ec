{#- One department's facts per resolved person (dim_person_profile): the person's records of `model` (joined on
    record_key to the CTE `records`), `columns` aggregated per person, and the record keys as `record_keys`.
    `where` filters the department rows; with_as_of adds the CTE `as_of` to the from clause for it. -#}
{% macro person_facts(model, alias, columns, record_keys, where=none, with_as_of=false) %}
    select
        records.person_key,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        list(records.record_key order by records.record_key) as {{ record_keys }}
    from records
    inner join {{ ref(model) }} as {{ alias }} on records.record_key = {{ alias }}.record_key
    {%- if with_as_of %}
    cross join as_of
    {%- endif %}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by records.person_key
{%- endmacro %}
