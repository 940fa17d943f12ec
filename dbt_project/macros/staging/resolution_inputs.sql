{#- The inputs of person and house resolution, unioned over every configured system (source_systems(): the
    `resolution` section of each connector YAML, with its defaults from connectors/staging.py resolution_spec).
    A new system joins them through its YAML: no model lists systems. -#}


{#- The configured systems whose resolution declares `section` (persons, addresses, recorded_on, register, facts,
    visits), as [system, spec] pairs sorted by system: the one loop every macro below runs. -#}
{% macro systems_with(section) -%}
{%- set found = [] -%}
{%- for system, spec in source_systems().items() | sort -%}
    {%- if spec.resolution.get(section) -%}{%- do found.append([system, spec]) -%}{%- endif -%}
{%- endfor -%}
{{ return(found) }}
{%- endmacro %}


{#- [system, spec] pairs as SQL: ('a', 'b') for `in` (('null') when none), or a DuckDB list ['a', 'b']. -#}
{% macro quoted_systems(pairs, as_list=false) -%}
{%- set names = [] -%}
{%- for pair in pairs -%}{%- do names.append("'" ~ pair[0] ~ "'") -%}{%- endfor -%}
{%- if as_list -%}[{{ names | join(', ') }}]{%- else -%}({{ names | join(', ') if names else 'null' }}){%- endif -%}
{%- endmacro %}


{#- One row per (staged record, person role): the identity columns each role maps (columns a system does not have
    are left out; the caller unions by name). A select statement. -#}
{% macro person_role_records() -%}
{%- set parts = [] -%}
{%- for system, spec in systems_with('persons') -%}
    {%- for person in spec.resolution.persons -%}
        {%- set part -%}
    select system, source, row_key, record_key, '{{ person.role }}' as role,
        {%- for pair in person.columns %}
        {{ pair[1] }} as {{ pair[0] }},
        {%- endfor %}
        {%- if person.id_evidence_only %}
        false as id_is_key,
        {%- endif %}
        loaded_at
    from {{ ref(spec.model) }}
    {%- if person.when %}
    where {{ person.when }}
    {%- endif %}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
{%- endfor -%}
{{ parts | join('\n    union all by name\n') if parts else empty_relation([['record_key', 'varchar']]) }}
{%- endmacro %}


{#- One row per (staged record, address role) with an address: the address, whether it names the record's own
    house, the committee a 小区-name address lies in (visits), and the valid ID number and name of the person the
    address belongs to. A select statement. -#}
{% macro address_role_records() -%}
{%- set parts = [] -%}
{%- for system, spec in systems_with('addresses') -%}
    {%- for address in spec.resolution.addresses -%}
        {%- set person = (spec.resolution.persons | selectattr('role', 'equalto', address.person) | first) if address.person else none -%}
        {%- set columns = dict(person.columns) if person else {} -%}
        {%- set part -%}
    select
        record_key || ':{{ address.role }}' as record_address_key,
        record_key,
        system,
        '{{ address.role }}' as address_role,
        {{ address.names_house }} as names_record_house,
        {{ address.column }} as address,
        {{ address.committee if address.committee else 'cast(null as varchar)' }} as committee_code,
        {%- if columns.get('id_number') %}
        case when {{ columns.get('id_valid', 'false') }} then {{ columns['id_number'] }} end as id_number,
        {%- else %}
        cast(null as varchar) as id_number,
        {%- endif %}
        {{ columns.get('person_name', 'cast(null as varchar)') }} as person_name
    from {{ ref(spec.model) }}
    where {{ address.column }} is not null
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
{%- endfor -%}
{{ parts | join('\n    union all\n') if parts else empty_relation([
    ['record_address_key', 'varchar'], ['record_key', 'varchar'], ['system', 'varchar'], ['address_role', 'varchar'],
    ['names_record_house', 'boolean'], ['address', 'varchar'], ['committee_code', 'varchar'], ['id_number', 'varchar'],
    ['person_name', 'varchar']]) }}
{%- endmacro %}


{#- The record's own date (resolution.recorded_on) of every system that declares one: record_key, recorded_on.
    A select statement (with no rows when no system declares one; likewise the other unions below). -#}
{% macro record_dates() -%}
{%- set parts = [] -%}
{%- for system, spec in systems_with('recorded_on') -%}
    {%- do parts.append("select record_key, " ~ spec.resolution.recorded_on ~ " as recorded_on from " ~ ref(spec.model)) -%}
{%- endfor -%}
{{ parts | join('\n    union all\n    ') if parts else empty_relation([['record_key', 'varchar'], ['recorded_on', 'date']]) }}
{%- endmacro %}


{#- The records of every population register (resolution.register: 户籍, 实有人口): record_key, the person's status
    (living / deceased / moved_away), its date, the record's date, population type, registration period and
    household. A select statement. -#}
{% macro register_records() -%}
{%- set parts = [] -%}
{%- for system, spec in systems_with('register') -%}
    {%- set register = spec.resolution.register -%}
        {%- set ended = register.status_values | rejectattr(1, 'equalto', 'living') | map(attribute=0) | list -%}
        {%- set ended_when = "case when " ~ register.status_column ~ " in ('" ~ ended | join("', '") ~ "') then "
                              ~ register.status_changed_on ~ " end" -%}
        {%- set part -%}
    select
        record_key,
        case {{ register.status_column }}{% for pair in register.status_values %} when '{{ pair[0] }}' then '{{ pair[1] }}'{% endfor %} end as status,
        {{ ended_when }} as status_date,
        {{ register.recorded_on }} as recorded_on,
        {{ register.population_type }} as population_type,
        {{ register.period_start }} as period_start,
        {{ ended_when }} as period_end,
        {{ register.household if register.household else 'cast(null as varchar)' }} as household_no
    from {{ ref(spec.model) }}
        {%- endset -%}
        {%- do parts.append(part) -%}
{%- endfor -%}
{{ parts | join('\n    union all\n') if parts else empty_relation([
    ['record_key', 'varchar'], ['status', 'varchar'], ['status_date', 'date'], ['recorded_on', 'date'],
    ['population_type', 'varchar'], ['period_start', 'date'], ['period_end', 'date'], ['household_no', 'varchar']]) }}
{%- endmacro %}


{#- The property titles (产权登记): every record of a system with an address of role property, with the title's
    certificate_no, house_type, floor_area, usage and co_ownership (null where the system stages none) and its date
    (resolution.recorded_on) as registered_on. A select statement; no rows when no configured system records titles. -#}
{% macro property_title_records() -%}
{%- set parts = [] -%}
{%- set columns = [['certificate_no', 'varchar'], ['house_type', 'varchar'], ['floor_area', 'decimal(10, 2)'],
                   ['usage', 'varchar'], ['co_ownership', 'varchar']] -%}
{%- for system, spec in systems_with('addresses') -%}
    {%- if spec.resolution.addresses | selectattr('role', 'equalto', 'property') | list -%}
        {%- set part -%}
    select
        record_key,
        {%- for pair in columns %}
        {{ staged_or_null(spec, pair[0], pair[1]) }} as {{ pair[0] }},
        {%- endfor %}
        {{ spec.resolution.recorded_on if spec.resolution.recorded_on else 'cast(null as date)' }} as registered_on
    from {{ ref(spec.model) }}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endif -%}
{%- endfor -%}
{%- if parts -%}
{{ parts | join('\n    union all by name\n') }}
{%- else -%}
{{ empty_relation([['record_key', 'varchar']] + columns + [['registered_on', 'date']]) }}
{%- endif -%}
{%- endmacro %}


{#- SQL of a connector YAML with the date-constant macros it may name (as_of(), earliest_date(), latest_date())
    rendered. -#}
{% macro spec_sql(expression) -%}
{{ expression | replace('as_of()', as_of() | trim) | replace('earliest_date()', earliest_date() | trim)
              | replace('latest_date()', latest_date() | trim) }}
{%- endmacro %}


{#- The fact groups of the person view (resolution.facts), in the order of their first system: each a dict with the
    group's `facts` (those of its first system: flag, aggregates, derived) and the `specs` of every system declaring
    the group (a deployment may have two rosters of one kind; they then share the first one's aggregates). -#}
{% macro fact_groups() -%}
{%- set groups = [] -%}
{%- set by_name = {} -%}
{%- for system, spec in systems_with('facts') -%}
    {%- set name = spec.resolution.facts.group -%}
    {%- if name in by_name -%}
        {%- do by_name[name].specs.append(spec) -%}
    {%- else -%}
        {%- do by_name.update({name: {'facts': spec.resolution.facts, 'specs': [spec]}}) -%}
        {%- do groups.append(by_name[name]) -%}
    {%- endif -%}
{%- endfor -%}
{{ return(groups) }}
{%- endmacro %}


{#- One CTE per fact group: the group's aggregates per resolved person over the subject records of its systems
    (the CTE `records`: person_key, record_key; the CTE `as_of`: as_of_date), and the records as <group>_record_keys.
    CTE bodies, each named facts_<group> and followed by a comma. -#}
{% macro profile_fact_ctes() -%}
{%- for group in fact_groups() %}
{%- set facts = group.facts %}
facts_{{ facts.group }} as (
    select
        records.person_key,
        {%- for pair in facts.aggregates %}
        {{ spec_sql(pair[1]) }} as {{ pair[0] }},
        {%- endfor %}
        list(records.record_key order by records.record_key) as {{ facts.group }}_record_keys
    from records
    {%- if group.specs | length == 1 %}
    inner join {{ ref(group.specs[0].model) }} as fact_rows on records.record_key = fact_rows.record_key
    cross join as_of
    {%- if facts.where %}
    where {{ spec_sql(facts.where) }}
    {%- endif %}
    {%- else %}
    inner join (
        {%- for spec in group.specs %}
        select * from {{ ref(spec.model) }}{{ "\n        union all by name" if not loop.last }}
        {%- endfor %}
    ) as fact_rows on records.record_key = fact_rows.record_key
    cross join as_of
    where
        {%- for spec in group.specs %}
        (fact_rows.system = '{{ spec.system }}' and ({{ spec_sql(spec.resolution.facts.where) if spec.resolution.facts.where else 'true' }})){{ " or" if not loop.last }}
        {%- endfor %}
    {%- endif %}
    group by records.person_key
),
{%- endfor %}
{%- endmacro %}


{#- The profile columns of every fact group, for the final select: the flag, the aggregates, the derived columns. -#}
{% macro profile_fact_columns() -%}
{%- for group in fact_groups() %}
{%- set facts = group.facts %}
        {%- if facts.flag %}
        facts_{{ facts.group }}.person_key is not null as {{ facts.flag }},
        {%- endif %}
        {%- for pair in facts.aggregates %}
        facts_{{ facts.group }}.{{ pair[0] }},
        {%- endfor %}
        {%- for pair in facts.derived %}
        {{ spec_sql(pair[1]) }} as {{ pair[0] }},
        {%- endfor %}
{%- endfor %}
{%- endmacro %}


{#- The documented profile columns (dim_person_profile.yml) of fact groups that no configured system provides (the
    column's meta.fact_group names its group): false for a flag, [] for record keys, else a typed null, so a tag or
    policy over them finds nobody in a deployment without such a system. For the final select, each ending with a
    comma; nothing when every documented fact column is provided. -#}
{% macro profile_unconfigured_fact_columns() -%}
{%- set provided = [] -%}
{%- for group in fact_groups() -%}
    {%- set facts = group.facts -%}
    {%- do provided.extend([facts.flag, facts.group ~ '_record_keys']) -%}
    {%- do provided.extend(facts.aggregates | map(attribute=0) | list) -%}
    {%- do provided.extend(facts.derived | map(attribute=0) | list) -%}
{%- endfor -%}
{%- for name, column in model.get('columns', {}).items() -%}
    {%- set meta = column.get('meta') or column.get('config', {}).get('meta') or {} -%}
    {%- if meta.get('fact_group') and name not in provided -%}
        {%- set type = column.get('data_type') | lower -%}
        {%- if type == 'boolean' %}
        false as {{ name }},
        {%- elif type.endswith('[]') %}
        cast([] as {{ type }}) as {{ name }},
        {%- else %}
        cast(null as {{ type }}) as {{ name }},
        {%- endif -%}
    {%- endif -%}
{%- endfor -%}
{%- endmacro %}


{#- The record-key columns of every fact group ([] for a person without such records), each after a comma, and their
    joins. -#}
{% macro profile_fact_record_keys() -%}
{%- for group in fact_groups() %},
        coalesce(facts_{{ group.facts.group }}.{{ group.facts.group }}_record_keys, []) as {{ group.facts.group }}_record_keys
{%- endfor %}
{%- endmacro %}

{% macro profile_fact_joins(person) -%}
{%- for group in fact_groups() %}
    left join facts_{{ group.facts.group }} on {{ person }}.person_key = facts_{{ group.facts.group }}.person_key
{%- endfor %}
{%- endmacro %}


{#- The population registers (systems with resolution.register) for `in`: ('ps_hukou', ...), or as a DuckDB list
    with as_list=true: ['ps_hukou', ...]; with households=true only the 户籍 registers, the ones that give
    households (register.household). -#}
{% macro register_systems(households=false, as_list=false) -%}
{%- set pairs = [] -%}
{%- for pair in systems_with('register') -%}
    {%- if pair[1].resolution.register.household or not households -%}{%- do pairs.append(pair) -%}{%- endif -%}
{%- endfor -%}
{{ quoted_systems(pairs, as_list) }}
{%- endmacro %}


{#- The visit logs (systems with resolution.visits) for `in`: ('cc_visits', ...). -#}
{% macro visit_systems() -%}
{{ quoted_systems(systems_with('visits')) }}
{%- endmacro %}


{#- Every visit of every visit log (resolution.visits): record_key, the visit's fields, and the visited person's name,
    ID number and the visit's address as staged. A select statement. -#}
{% macro visit_records() -%}
{%- set parts = [] -%}
{%- set typed = {'visited_on': 'date', 'follow_up': 'boolean'} -%}
{%- for system, spec in systems_with('visits') -%}
    {%- set visits = spec.resolution.visits -%}
        {%- set part -%}
    select
        record_key,
        {%- for name in ['visit_id', 'visited_on', 'visitor_name', 'visitor_department', 'method', 'situation', 'appeal', 'follow_up'] %}
        cast({{ visits[name] if visits[name] else 'null' }} as {{ typed.get(name, 'varchar') }}) as {{ name }},
        {%- endfor %}
        cast({{ visits['committee_code'] if visits['committee_code'] else 'null' }} as varchar) as record_committee_code,
        person_name,
        id_number,
        address
    from {{ ref(spec.model) }}
        {%- endset -%}
        {%- do parts.append(part) -%}
{%- endfor -%}
{{ parts | join('\n    union all\n') if parts else empty_relation([
    ['record_key', 'varchar'], ['visit_id', 'varchar'], ['visited_on', 'date'], ['visitor_name', 'varchar'],
    ['visitor_department', 'varchar'], ['method', 'varchar'], ['situation', 'varchar'], ['appeal', 'varchar'],
    ['follow_up', 'boolean'], ['record_committee_code', 'varchar'], ['person_name', 'varchar'], ['id_number', 'varchar'],
    ['address', 'varchar']]) }}
{%- endmacro %}
