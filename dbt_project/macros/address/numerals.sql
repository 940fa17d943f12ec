{#- Chinese numerals in Shanghai addresses, converted in SQL (no per-row Python):
    digit by digit  六零二 / 一九零一 (rooms)           -> 602 / 1901
    positional      一千二百二十一 / 五百零三 / 二十五 / 十二 (lanes, numbers) -> 1221 / 503 / 25 / 12
    Arabic digits pass through. Anything else (a positional form with units out of order) gives null. -#}

{% macro address_number_token() -%}
    {#- a number as written before an address unit: Arabic digits or Chinese numeral characters -#}
    ([0-9]+|[零〇一二三四五六七八九十百千两]+)
{%- endmacro %}


{% macro cn_numeral_to_int(expr) -%}
    {%- set positional = "'^(?:([一二三四五六七八九])千)?零?(?:([一二三四五六七八九])百)?零?(?:([一二三四五六七八九]?)(十))?([一二三四五六七八九])?$'" -%}
    (case
        when {{ expr }} is null or {{ expr }} = '' then null
        when regexp_full_match({{ expr }}, '[0-9]+') then try_cast({{ expr }} as bigint)
        when regexp_full_match({{ expr }}, '[零〇一二三四五六七八九]+')
            then try_cast(translate({{ expr }}, '零〇一二三四五六七八九', '00123456789') as bigint)
        when regexp_full_match(translate({{ expr }}, '两', '二'), {{ positional }})
            then (
                coalesce(try_cast(translate(regexp_extract(translate({{ expr }}, '两', '二'), {{ positional }}, 1), '一二三四五六七八九', '123456789') as bigint), 0) * 1000
                + coalesce(try_cast(translate(regexp_extract(translate({{ expr }}, '两', '二'), {{ positional }}, 2), '一二三四五六七八九', '123456789') as bigint), 0) * 100
                + case when regexp_extract(translate({{ expr }}, '两', '二'), {{ positional }}, 4) = '十'
                    then coalesce(try_cast(translate(regexp_extract(translate({{ expr }}, '两', '二'), {{ positional }}, 3), '一二三四五六七八九', '123456789') as bigint), 1) * 10
                    else 0 end
                + coalesce(try_cast(translate(regexp_extract(translate({{ expr }}, '两', '二'), {{ positional }}, 5), '一二三四五六七八九', '123456789') as bigint), 0)
            )
    end)
{%- endmacro %}
