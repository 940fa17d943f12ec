{% macro normalize_sex(expr) -%}
    {#- 男 / 女 from 男, 男性, M, male, 1 (GB/T 2261.1) and 女, 女性, F, female, 2; anything else -> null -#}
    {%- set s -%} lower(trim({{ to_halfwidth(expr) }})) {%- endset -%}
    case
        when {{ s }} in ('男', '男性', 'm', 'male', '1') then '男'
        when {{ s }} in ('女', '女性', 'f', 'female', '2') then '女'
    end
{%- endmacro %}
