{#- Text normalisation: full-width -> half-width, traditional -> simplified, names, free text (addresses). -#}

{% macro to_halfwidth(expr) -%}
    {#- full-width ASCII U+FF01-U+FF5E and the ideographic space U+3000 -> their half-width forms. translate() builds
        its map for every value, so only the values holding such a character (a constant regexp) go through it. -#}
    case when regexp_matches({{ expr }}, '[\x{FF01}-\x{FF5E}\x{3000}]') then translate({{ expr }},
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ ')
        else {{ expr }} end
{%- endmacro %}


{% macro to_simplified(expr) -%}
    {#- traditional -> simplified, one character for one, with the map of the seed ref_t2s_characters (OpenCC t2s).
        The seed's two strings are read at compile time and inlined as constants: a regexp with a constant character
        class finds the few values holding a traditional character, and only those are mapped, character by
        character through strpos() in the constant (4-5x faster than translate(), which builds its map per value).
        When the seed table is not built yet (unit tests, which see no graph) the strings come from scalar
        subqueries over the seed and translate() maps them: same result, slower. -#}
    {%- set strings = t2s_strings() -%}
    case when regexp_matches({{ expr }}, {{ strings.pattern }}) then
    {%- if strings.inlined %}
        list_aggr(list_transform(string_split({{ expr }}, ''), lambda ch: case when strpos({{ strings.traditional }}, ch) > 0
            then substr({{ strings.simplified }}, strpos({{ strings.traditional }}, ch), 1) else ch end), 'string_agg', '')
    {%- else %}
        translate({{ expr }}, {{ strings.traditional }}, {{ strings.simplified }})
    {%- endif %}
    else {{ expr }} end
{%- endmacro %}


{% macro t2s_strings() -%}
    {%- set seed_ref = ref('ref_t2s_characters') -%}
    {%- set relation = none -%}
    {%- if execute -%}
        {%- set node = graph.get('nodes', {}).get('seed.' ~ project_name ~ '.ref_t2s_characters') -%}
        {%- if node -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if relation is not none -%}
        {%- set row = run_query("select string_agg(traditional, '' order by traditional) as t, "
                                ~ "string_agg(simplified, '' order by traditional) as s from " ~ relation).rows[0] -%}
        {%- do return({'pattern': "'[" ~ row[0] ~ "]'", 'traditional': "'" ~ row[0] ~ "'",
                       'simplified': "'" ~ row[1] ~ "'", 'inlined': true}) -%}
    {%- else -%}
        {%- set t -%} (select string_agg(traditional, '' order by traditional) from {{ seed_ref }}) {%- endset -%}
        {%- set s -%} (select string_agg(simplified, '' order by traditional) from {{ seed_ref }}) {%- endset -%}
        {%- do return({'pattern': "'[' || " ~ t ~ " || ']'", 'traditional': t, 'simplified': s, 'inlined': false}) -%}
    {%- endif -%}
{%- endmacro %}


{% macro clean_text(expr) -%}
    {#- free text such as addresses: half-width, simplified, whitespace runs collapsed to one space, trimmed, '' -> null -#}
    nullif(trim(regexp_replace({{ to_simplified(to_halfwidth(expr)) }}, '[\s\x{00A0}]+', ' ', 'g')), '')
{%- endmacro %}


{% macro clean_name(expr) -%}
    {#- person names: half-width, simplified, trimmed; interpunct look-alikes (• ． ・ ･ ‧ ∙ . - and the spaces around
        them) -> U+00B7; spaces next to a Han character removed (张 三 -> 张三); spaces between other name parts
        (Latin, transliterated) -> U+00B7; leading/trailing separators dropped; '' -> null -#}
    nullif(trim(regexp_replace(regexp_replace(regexp_replace(
        trim(regexp_replace({{ to_simplified(to_halfwidth(expr)) }}, '[\s\x{00A0}]+', ' ', 'g')),
        '\s*[\x{00B7}\x{2022}\x{30FB}\x{FF65}\x{2027}\x{2219}\x{22C5}\x{0387}.\-]+\s*', '·', 'g'),
        '\s*([\x{3400}-\x{9FFF}\x{F900}-\x{FAFF}])\s*', '\1', 'g'),
        '\s+', '·', 'g'), '·'), '')
{%- endmacro %}
