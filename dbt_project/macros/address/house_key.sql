{#- The normalised house key: one string per room (or rural door), from the resolved parts, and its stable hash.
    urban:    u|<district_code>|<road>|<lane>|<sub_lane>|<number>|<building>|<room>
    village:  v|<district_code>|<village>|<village_group>|<number>
    compound: c|<district_code>|<compound>|<number>|<building>|<room>   (小区 name the register could not place)
    Missing parts are empty strings, so the key changes only when a part does. -#}

{% macro house_key_string(kind, district_code, place, lane, sub_lane, number, building, room, village_group) -%}
    case {{ kind }}
        when 'village' then concat_ws('|', 'v', coalesce({{ district_code }}, ''), coalesce({{ place }}, ''),
            coalesce(cast({{ village_group }} as varchar), ''), coalesce(cast({{ number }} as varchar), ''))
        when 'road' then concat_ws('|', 'u', coalesce({{ district_code }}, ''), coalesce({{ place }}, ''),
            coalesce(cast({{ lane }} as varchar), ''), coalesce(cast({{ sub_lane }} as varchar), ''),
            coalesce(cast({{ number }} as varchar), ''), coalesce(cast({{ building }} as varchar), ''),
            coalesce(cast({{ room }} as varchar), ''))
        else concat_ws('|', 'c', coalesce({{ district_code }}, ''), coalesce({{ place }}, ''),
            coalesce(cast({{ number }} as varchar), ''), coalesce(cast({{ building }} as varchar), ''),
            coalesce(cast({{ room }} as varchar), ''))
    end
{%- endmacro %}


{% macro house_key(key_string) -%}
    {#- 'H' + the first 15 hex digits of md5(key string): stable across builds and machines -#}
    'H' || substr(md5({{ key_string }}), 1, 15)
{%- endmacro %}


{% macro house_address(district_name, kind, place, lane, sub_lane, number, building, room, village_group) -%}
    {#- the canonical address of a resolved house (上海市黄浦区四平路1221弄12号301室, 上海市嘉定区XX村3组12号) -#}
    '上海市' || coalesce({{ district_name }}, '') || coalesce({{ place }}, '')
        || case when {{ kind }} = 'village' then coalesce(cast({{ village_group }} as varchar) || '组', '')
            else coalesce(cast({{ lane }} as varchar) || '弄', '') || coalesce(cast({{ sub_lane }} as varchar) || '支弄', '') end
        || coalesce(cast({{ number }} as varchar) || '号', '')
        || coalesce(cast({{ building }} as varchar) || '号楼', '')
        || coalesce(cast({{ room }} as varchar) || '室', '')
{%- endmacro %}
