{#- One staging model of a source system, from its spec (connectors/staging.py staging_spec, written into the model
    file by `python -m connectors.dbt_sources` from the connector YAML):

        source    the bronze rows (bronze_deduplicated: exact duplicates collapsed, the latest load per primary key)
        renamed   lineage columns, then every canonical column normalised by its kind (with <name>_raw beside it
                  when the kind keeps the value as delivered); a computed field (staging.fields.<name>.from) is
                  its SQL over the delivered columns, normalised by its kind the same way
        with_id   per ID number column: <prefix>id_valid, id_birth_date, id_sex and id_form (what was delivered:
                  valid, legacy_15, excel_number, excel_truncated, masked, other_document, invalid)
        final     conflicts of the stated birth date / sex with the valid ID number, then the derived columns; a
                  birth date stated to the month (staging.birth_date_precision: month) takes the day of a valid ID
                  number that agrees on the month

    A kind is one of connectors/staging.py KINDS; staging_value renders its expression. -#}
{% macro staging_model(spec) -%}
{%- set lookups = spec.fields | selectattr('kind', 'equalto', 'lookup') | list -%}
{%- set ids = spec.fields | selectattr('kind', 'equalto', 'id_number') | list -%}
with source as (
    {{ bronze_deduplicated(spec.system, spec.primary_key) }}
),
{%- for field in lookups %}

lookup_{{ field.name }} as (
    select {{ field.key }} as lookup_key, {{ field.value }} as lookup_value from {{ ref(field.seed) }}
),
{%- endfor %}

renamed as (
    select
        {{ lineage_columns("trim(source." ~ spec.row_key ~ ")" if spec.row_key else none) }},
        {%- for field in spec.fields %}
        {%- set expr = field.source_expr if field.source_expr else 'source.' ~ field.column %}
        {%- if field.raw %}
        {{ expr }} as {{ field.raw_name }},
        {%- endif %}
        {{ staging_value(field, expr) }} as {{ field.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from source
    {%- for field in lookups %}
    left join lookup_{{ field.name }}
        on {% if field.pad %}lpad(trim(source.{{ field.column }}), {{ field.pad }}, '0'){% else %}trim(source.{{ field.column }}){% endif %} = lookup_{{ field.name }}.lookup_key
    {%- endfor %}
),

with_id as (
    select
        *
        {%- for field in ids %},
        {{ id_number_columns(field.name, field.prefix) }},
        {{ id_number_form(field.name, field.raw_name if field.raw else none) }} as {{ field.prefix }}id_form
        {%- endfor %}
    from renamed
)

select
    *
    {%- if spec.conflicts.birth_date and spec.conflicts.month_precision %}
    -- a birth date stated to the month (1958.03) is the valid ID's day when the ID agrees on the month
    replace (case when id_valid and date_trunc('month', id_birth_date) = birth_date then id_birth_date
                  else birth_date end as birth_date)
    {%- endif %}
    {%- if spec.conflicts.birth_date %},
    {%- if spec.conflicts.month_precision %}
    case when id_valid then date_trunc('month', id_birth_date) <> birth_date end as birth_date_conflicts_id
    {%- else %}
    case when id_valid then id_birth_date <> birth_date end as birth_date_conflicts_id
    {%- endif %}
    {%- endif %}
    {%- if spec.conflicts.sex %},
    case when id_valid then id_sex <> sex end as sex_conflicts_id
    {%- endif %}
    {%- for column in spec.derived %},
    {{ column.sql }} as {{ column.name }}
    {%- endfor %}
from with_id
{%- endmacro %}


{#- The staged value of one source column `expr` by its field's kind (connectors/fields.yaml). -#}
{% macro staging_value(field, expr) -%}
{%- set kind = field.kind -%}
{%- if kind == 'identifier' -%}
    {%- if field.halfwidth -%}nullif(trim({{ to_halfwidth(expr) }}), ''){%- else -%}nullif(trim({{ expr }}), ''){%- endif -%}
{%- elif kind == 'code' -%}
    trim({{ expr }})
{%- elif kind in ('person_name', 'name') -%}
    {{ clean_name(expr) }}
{%- elif kind == 'id_number' -%}
    {{ normalize_id_number(expr) }}
{%- elif kind == 'sex' -%}
    {{ normalize_sex(expr) }}
{%- elif kind == 'date' -%}
    {{ parse_date(expr) }}
{%- elif kind in ('text', 'address') -%}
    {{ clean_text(expr) }}
{%- elif kind == 'phone' -%}
    {{ normalize_phone(expr) }}
{%- elif kind == 'integer' -%}
    try_cast({{ expr }} as integer)
{%- elif kind == 'decimal' -%}
    try_cast({{ to_halfwidth(expr) }} as {{ field.type }})
{%- elif kind == 'timestamp' -%}
    try_cast({{ expr }} as timestamp)
{%- elif kind == 'email' -%}
    lower(nullif(trim({{ expr }}), ''))
{%- elif kind == 'document_no' -%}
    nullif(upper(regexp_replace({{ to_halfwidth(expr) }}, '\s+', '', 'g')), '')
{%- elif kind == 'boolean' -%}
    case trim({{ expr }}){% for pair in field['values'] %} when '{{ pair[0] }}' then {{ 'true' if pair[1] else 'false' }}{% endfor %} end
{%- elif kind == 'code_map' -%}
    case trim({{ expr }}){% for pair in field['values'] %} when '{{ pair[0] }}' then '{{ pair[1] }}'{% endfor %} end
{%- elif kind == 'lookup' -%}
    lookup_{{ field.name }}.lookup_value
{%- else -%}
    {{ exceptions.raise_compiler_error("staging_value: unknown kind " ~ kind ~ " of column " ~ field.column) }}
{%- endif -%}
{%- endmacro %}
