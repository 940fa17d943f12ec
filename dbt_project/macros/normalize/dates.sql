{% macro parse_date(expr) -%}
    {#- a DATE from the text forms the sources use; impossible dates -> null:
        1990-01-01, 1990/1/1, 1990.1.1, 1990年1月1日 (and with a time part: ISO timestamps 1990-01-01T08:00:00+08:00,
        1990-01-01 00:00:00); 19900101; 1990-01, 1990/1, 1990年1月, 199001 (first of the month);
        Excel serial day numbers of the 1900 date system (32874, 32874.0, 44672.5 -> the date part) -#}
    {%- set s -%} trim({{ to_halfwidth(expr) }}) {%- endset -%}
    {%- set ymd = "'^(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})\\s*日?(?:[ T]\\d{1,2}:\\d{2}.*)?$'" -%}
    {%- set ym = "'^(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*月?$'" -%}
    cast(case
        when regexp_matches({{ s }}, {{ ymd }}) then try_strptime(
            regexp_extract({{ s }}, {{ ymd }}, 1) || '-' || regexp_extract({{ s }}, {{ ymd }}, 2) || '-'
            || regexp_extract({{ s }}, {{ ymd }}, 3), '%Y-%m-%d')
        when regexp_matches({{ s }}, {{ ym }}) then try_strptime(
            regexp_extract({{ s }}, {{ ym }}, 1) || '-' || regexp_extract({{ s }}, {{ ym }}, 2) || '-1', '%Y-%m-%d')
        when regexp_full_match({{ s }}, '(18|19|20|21)\d{6}') then try_strptime({{ s }}, '%Y%m%d')
        when regexp_full_match({{ s }}, '(18|19|20|21)\d{2}(0[1-9]|1[0-2])') then try_strptime({{ s }} || '01', '%Y%m%d')
        when regexp_full_match({{ s }}, '[1-9]\d{4}(\.\d+)?')
            then {{ excel_epoch() }} + cast(floor(cast({{ s }} as double)) as integer)
    end as date)
{%- endmacro %}
