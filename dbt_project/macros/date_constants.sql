{#- Date constants, named once (the only date literals in the models besides the var as_of of dbt_project.yml):
    earliest_date() sorts an unknown date before every real one, latest_date() after every real one, and
    day_number_origin() is the origin that turns a date into a day number (rank keys of the survivorship),
    excel_epoch() the day before Excel's serial day 1 (1900 date system, its 1900-02-29 bug included). -#}
{% macro earliest_date() -%}
    date '1900-01-01'
{%- endmacro %}

{% macro latest_date() -%}
    date '9999-12-31'
{%- endmacro %}

{% macro day_number_origin() -%}
    date '2000-01-01'
{%- endmacro %}

{% macro excel_epoch() -%}
    date '1899-12-30'
{%- endmacro %}
