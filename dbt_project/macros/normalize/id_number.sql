{#- 公民身份号码 (GB 11643-1999): normalisation, MOD 11-2 check digit, validity, birth date and sex. -#}

{% macro id_check_digit(expr17) -%}
    {#- ISO 7064 MOD 11-2 check character of 17 digits (null unless exactly 17 digits) -#}
    case when regexp_full_match({{ expr17 }}, '\d{17}') then substr('10X98765432',
        cast(list_sum(list_transform(string_split({{ expr17 }}, ''),
            lambda d, i: cast(d as integer) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i])) % 11 as integer) + 1,
        1) end
{%- endmacro %}


{% macro normalize_id_number(expr) -%}
    {#- whitespace removed, half-width, upper-case X; the 15-digit 1989 form becomes 18 digits (19 inserted after the
        region code, check digit appended); anything else is returned as cleaned; '' -> null -#}
    {%- set s -%} nullif(upper(regexp_replace({{ to_halfwidth(expr) }}, '[\s\x{00A0}]+', '', 'g')), '') {%- endset -%}
    case when regexp_full_match({{ s }}, '\d{15}')
        then substr({{ s }}, 1, 6) || '19' || substr({{ s }}, 7, 9)
            || {{ id_check_digit("substr(" ~ s ~ ", 1, 6) || '19' || substr(" ~ s ~ ", 7, 9)") }}
        else {{ s }} end
{%- endmacro %}


{% macro id_birth_date(expr) -%}
    {#- the birth date coded in positions 7-14 of an 18-character number (null when not a real date) -#}
    case when regexp_full_match({{ expr }}, '\d{17}[0-9X]')
        then cast(try_strptime(substr({{ expr }}, 7, 8), '%Y%m%d') as date) end
{%- endmacro %}


{% macro id_sex(expr) -%}
    {#- the parity of the 17th digit: odd 男, even 女 -#}
    case when regexp_full_match({{ expr }}, '\d{17}[0-9X]')
        then case when cast(substr({{ expr }}, 17, 1) as integer) % 2 = 1 then '男' else '女' end end
{%- endmacro %}


{% macro id_number_is_valid(expr) -%}
    {#- a normalised number is valid when: 17 digits + [0-9X]; the check digit is right; positions 7-14 are a real
        date from 1900-01-01 up to the build's as_of day; the region code is in the HISTORICAL list ref_region_codes
        (abolished codes such as 310108 闸北区 stay valid; 810000/820000/830000 港澳台居民居住证). Never null. -#}
    coalesce(
        regexp_full_match({{ expr }}, '\d{17}[0-9X]')
        and substr({{ expr }}, 18, 1) = {{ id_check_digit("substr(" ~ expr ~ ", 1, 17)") }}
        and {{ id_birth_date(expr) }} between {{ earliest_date() }} and {{ as_of() }}
        and substr({{ expr }}, 1, 6) in (select region_code from {{ ref('ref_region_codes') }}),
        false)
{%- endmacro %}


{% macro id_number_form(normalized, raw=none) -%}
    {#- What a delivered ID number is, so that only a real one is ever trusted as an identifier:
        valid            a valid 18-character number (id_number_is_valid)
        legacy_15        a valid number delivered in the 15-digit 1989 form (widened to 18)
        excel_number     Excel turned it into a number: 3.10104E+17, 310104194503120011.0 (the digits are lost)
        excel_truncated  18 digits ending in 000 that fail the check: Excel kept 15 significant digits
        masked           partly starred (310***********1234): partial evidence only, never a key
        other_document   letters besides a final X, or 8-10 digits: a passport, 港澳台 permit or another document number
        invalid          anything else (wrong check digit, impossible date, unknown region)
        null when nothing was delivered. -#}
    case
        when {{ normalized }} is null then null
        when {{ id_number_is_valid(normalized) }} then
            {%- if raw %}
            case when regexp_full_match(regexp_replace({{ to_halfwidth(raw) }}, '\s', '', 'g'), '\d{15}')
                then 'legacy_15' else 'valid' end
            {%- else %}
            'valid'
            {%- endif %}
        when regexp_full_match({{ normalized }}, '\d(\.\d+)?E\+?\d+') or regexp_full_match({{ normalized }}, '\d{15,18}\.0+')
            then 'excel_number'
        when regexp_full_match({{ normalized }}, '\d{15}000') then 'excel_truncated'
        when contains({{ normalized }}, '*') then 'masked'
        when regexp_matches({{ normalized }}, '[A-WYZ]') then 'other_document'
        -- 8 to 10 digits: a 台湾居民来往大陆通行证 (8), a passport of digits only (9: USA, ...); never a mangled
        -- 身份证 number, which keeps at least 15 digits
        when regexp_full_match({{ normalized }}, '\d{8,10}') then 'other_document'
        else 'invalid'
    end
{%- endmacro %}
