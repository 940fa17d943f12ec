{#- Column groups every staging model repeats. -#}

{% macro lineage_columns(row_key=none) -%}
    {#- record_key = system:source:row_key, unique per staging row. row_key is the source row number for files and
        the primary key value for database tables (their _row_number counts within a load batch only); it equals
        truth/source_records.row_key of the synthetic city. -#}
    {%- set rk = row_key if row_key else "cast(_row_number as varchar)" -%}
    _system || ':' || _source || ':' || {{ rk }} as record_key,
    _system as system,
    _source as source,
    {{ rk }} as row_key,
    _row_number as source_row_number,
    _batch_id as batch_id,
    _loaded_at as loaded_at,
    _row_hash as row_hash
{%- endmacro %}


{% macro id_number_columns(id_column, prefix='') -%}
    {{ id_number_is_valid(id_column) }} as {{ prefix }}id_valid,
    {{ id_birth_date(id_column) }} as {{ prefix }}id_birth_date,
    {{ id_sex(id_column) }} as {{ prefix }}id_sex
{%- endmacro %}


{% macro id_conflict_columns(birth_date='birth_date', sex='sex', month_precision=false) -%}
    {#- true when a VALID ID number says otherwise than the stated birth date / sex; null when either side is missing -#}
    {%- if month_precision %}
    case when id_valid then date_trunc('month', id_birth_date) <> {{ birth_date }} end as birth_date_conflicts_id,
    {%- else %}
    case when id_valid then id_birth_date <> {{ birth_date }} end as birth_date_conflicts_id,
    {%- endif %}
    case when id_valid then id_sex <> {{ sex }} end as sex_conflicts_id
{%- endmacro %}
