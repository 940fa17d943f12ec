{#- Shanghai address parsing (domain.md §3): 上海市 → 区 → 街道/镇/乡 → 路 (or 小区/村) → 弄 → 支弄 → 号 → 号楼/幢/栋 →
    楼/层 → 室, and 组 for rural houses. Input: a cleaned address (clean_text(): half-width, simplified, trimmed).
    Output of parse_address(): a struct, one field per part; numbers are integers (Chinese numerals converted by
    cn_numeral_to_int). Abolished and short district names are mapped to today's code downstream with the seed
    ref_district_aliases (district_alias is the name as written). DuckDB regular expressions are RE2: no look-around,
    so every part is taken by its own pattern "<number><unit>". -#}

{% macro district_alias_pattern() -%}
    {#- the alternation of every district name of ref_district_aliases, longest first (浦东新区 before 浦东区), read
        from the built seed at compile time; when the seed is not built yet, the same names from a constant list -#}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- set node = graph.get('nodes', {}).get('seed.' ~ project_name ~ '.ref_district_aliases') -%}
        {%- if node -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- set rows = run_query("select alias from " ~ relation ~ " order by length(alias) desc, alias").rows -%}
                {%- for row in rows -%}{%- do names.append(row[0]) -%}{%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not names -%}
        {%- set names = ['浦东新区', '黄浦区', '徐汇区', '长宁区', '静安区', '普陀区', '虹口区', '杨浦区', '闵行区', '宝山区',
                         '嘉定区', '金山区', '松江区', '青浦区', '奉贤区', '崇明区', '浦东区', '南市区', '卢湾区', '闸北区',
                         '吴淞区', '南汇区', '上海县', '嘉定县', '宝山县', '川沙县', '南汇县', '奉贤县', '松江县', '金山县',
                         '青浦县', '崇明县'] -%}
    {%- endif -%}
    {{- names | join('|') -}}
{%- endmacro %}


{% macro address_compact(expr) -%}
    {#- a trailing door-room pair written with a hyphen becomes 号/室 (四平路1221弄12-301 -> 四平路1221弄12号301室);
        spaces and other separators are dropped ('四平路 1221弄 12号' -> '四平路1221弄12号') -#}
    regexp_replace(regexp_replace({{ expr }}, '([0-9]+)号?\s*[-—]\s*([0-9]+)室?$', '\1号\2室'), '[\s,，、\-—]+', '', 'g')
{%- endmacro %}


{% macro address_locality(s) -%}
    {#- the text before the first "<number><unit>": 上海市杨浦区四平路街道四平路 of 上海市杨浦区四平路街道四平路1221弄12号 -#}
    {%- set pattern = "'^(.*?)" ~ address_number_token() ~ "(?:支弄|弄|号楼|号|幢|栋|组|室)'" -%}
    (case when regexp_matches({{ s }}, {{ pattern }}) then regexp_extract({{ s }}, {{ pattern }}, 1) else {{ s }} end)
{%- endmacro %}


{% macro address_unit_number(s, unit) -%}
    {#- the integer before the first `unit` (a regexp alternation such as 弄 or 支弄) -#}
    {{ cn_numeral_to_int("nullif(regexp_extract(" ~ s ~ ", '" ~ address_number_token() ~ "(?:" ~ unit ~ ")', 1), '')") }}
{%- endmacro %}


{% macro parse_address(expr, district_pattern=none) -%}
    {%- set s = address_compact(expr) -%}
    {%- set pattern = district_pattern if district_pattern else district_alias_pattern() -%}
    {%- set n = address_number_token() -%}
    {%- set locality = "regexp_replace(" ~ address_locality(s) ~ ", '^上海市?', '')" -%}
    {%- set district = "nullif(regexp_extract(" ~ locality ~ ", '^(" ~ pattern ~ ")', 1), '')" -%}
    {%- set after_district = "substr(" ~ locality ~ ", length(coalesce(" ~ district ~ ", '')) + 1)" -%}
    {%- set street = "nullif(regexp_extract(" ~ after_district ~ ", '^(\\p{Han}+?街道|\\p{Han}{2,}?[镇乡])', 1), '')" -%}
    {%- set place = "nullif(substr(" ~ after_district ~ ", length(coalesce(" ~ street ~ ", '')) + 1), '')" -%}
    {%- set doors = "regexp_extract_all(" ~ s ~ ", '" ~ n ~ "(号楼|号|幢|栋)', 1)" -%}
    {%- set units = "regexp_extract_all(" ~ s ~ ", '" ~ n ~ "(号楼|号|幢|栋)', 2)" -%}
    {%- set lane = address_unit_number(s, '弄') -%}
    {%- set room_token = "coalesce(nullif(regexp_extract(" ~ s ~ ", '" ~ n ~ "室', 1), ''), "
                         ~ "nullif(regexp_extract(" ~ s ~ ", '(?:号楼|号|幢|栋)([0-9]+)$', 1), ''))" -%}
    struct_pack(
        has_city := regexp_matches({{ s }}, '^上海'),
        district_alias := {{ district }},
        street_name := {{ street }},
        place := {{ place }},
        place_kind := case
            when regexp_matches({{ s }}, '{{ n }}组') then 'village'
            when regexp_matches(coalesce({{ place }}, ''), '(路|街|大道|公路|大街|弄)$') then 'road'
            when {{ place }} is not null then 'compound'
        end,
        lane := {{ lane }},
        sub_lane := {{ address_unit_number(s, '支弄') }},
        number := case
            when len({{ doors }}) >= 2 then {{ cn_numeral_to_int(doors ~ "[1]") }}
            when len({{ doors }}) = 1 and ({{ units }}[1] = '号' or {{ lane }} is not null)
                then {{ cn_numeral_to_int(doors ~ "[1]") }}
        end,
        building := case
            when len({{ doors }}) >= 2 then {{ cn_numeral_to_int(doors ~ "[2]") }}
            when len({{ doors }}) = 1 and {{ units }}[1] <> '号' and {{ lane }} is null
                then {{ cn_numeral_to_int(doors ~ "[1]") }}
        end,
        building_unit := case when len({{ doors }}) >= 2 then {{ units }}[2]
                              when len({{ doors }}) = 1 and {{ units }}[1] <> '号' and {{ lane }} is null then {{ units }}[1] end,
        floor := {{ cn_numeral_to_int("nullif(regexp_extract(" ~ s ~ ", '(?:号楼|号|幢|栋)" ~ n ~ "[楼层]', 1), '')") }},
        room := {{ cn_numeral_to_int(room_token) }},
        village_group := {{ address_unit_number(s, '组') }}
    )
{%- endmacro %}
