{% macro normalize_phone(expr) -%}
    {#- digits only (half-width first); +86 / 0086 / 86 prefix stripped; an 11-digit mobile starting 1[3-9] is kept;
        a landline keeps its area code as digits (021xxxxxxxx; a bare 8-digit number is a Shanghai line -> 021 prefixed;
        other area codes 0xx(x) + 7-8 digits kept); anything else -> null -#}
    {%- set d -%} regexp_replace({{ to_halfwidth(expr) }}, '[^0-9]', '', 'g') {%- endset -%}
    case
        when regexp_full_match({{ d }}, '(?:0086|86)?1[3-9]\d{9}') then right({{ d }}, 11)
        when regexp_full_match({{ d }}, '(?:0086|86)?0?21[2-9]\d{7}') then '021' || right({{ d }}, 8)
        when regexp_full_match({{ d }}, '[2-9]\d{7}') then '021' || {{ d }}
        when regexp_full_match({{ d }}, '0[1-9]\d{1,2}[2-9]\d{6,7}') and length({{ d }}) between 10 and 12 then {{ d }}
    end
{%- endmacro %}
