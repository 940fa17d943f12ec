{#- The day the build treats as "today" (ages, 应届, validity windows, ledger periods): the var as_of of
    dbt_project.yml ($SHEQUYUN_AS_OF), as a date. Every model reads it through this macro; the built database
    records it in build_info, which exports, policy matching and evaluation read (shequyun.core.build_info). -#}
{% macro as_of() -%}
    cast('{{ var("as_of") }}' as date)
{%- endmacro %}
