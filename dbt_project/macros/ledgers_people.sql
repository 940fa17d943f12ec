{#- Helpers of the people ledgers (models/reports/ledgers/people/rpt_ledger__*). -#}

{#- The six scope columns a ledger row starts with, from int_ledger_person_base aliased `relation`:
    basis 'residence' = the committee of the residence house (实有/居住 ledgers),
    'hukou' = the committee of the 户籍 house (户籍 rosters),
    'hukou_else_residence' = the 户籍 committee when the 户籍 house is known, else the residence one (注销 and 津贴
    ledgers, which speak of 户籍 persons mostly but not only). -#}
{% macro ledger_scope_columns(relation, basis='residence') -%}
    {%- set expressions = ledger_scope_expressions(relation, basis) -%}
    {%- for part in expressions %}
    {{ expressions[part] }} as {{ part }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The same six scope columns as {column: expression} (ledger_person_select passes them to ledger_select). -#}
{% macro ledger_scope_expressions(relation, basis='residence') -%}
    {%- set parts = ['district_code', 'district_name', 'street_code', 'street_name', 'committee_code', 'committee_name'] -%}
    {%- if basis not in ['residence', 'hukou', 'hukou_else_residence'] -%}
        {{ exceptions.raise_compiler_error("ledger_scope_columns: basis must be residence, hukou or hukou_else_residence, got '" ~ basis ~ "'") }}
    {%- endif -%}
    {%- set expressions = {} -%}
    {%- for part in parts -%}
        {%- if basis == 'residence' -%}
            {%- do expressions.update({part: relation ~ '.' ~ part}) -%}
        {%- elif basis == 'hukou' -%}
            {%- do expressions.update({part: relation ~ '.hukou_' ~ part}) -%}
        {%- else -%}
            {%- do expressions.update({part: 'case when ' ~ relation ~ '.hukou_committee_code is not null then ' ~ relation ~ '.hukou_' ~ part ~ ' else ' ~ relation ~ '.' ~ part ~ ' end'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(expressions) }}
{%- endmacro %}

{#- The closing select of a person ledger: ledger_select over `relation` (a from clause whose persons are aliased
    `qualifier`, default base = int_ledger_person_base) with the six scope columns by `basis` and every column
    without an expression read as <qualifier>.<column>. -#}
{% macro ledger_person_select(relation, expressions={}, where=none, basis='residence', qualifier='base') -%}
    {%- set all_expressions = ledger_scope_expressions(qualifier, basis) -%}
    {%- do all_expressions.update(expressions) -%}
    {{ ledger_select(relation, all_expressions, where=where, qualifier=qualifier) }}
{%- endmacro %}

{#- The persons carrying a current tag (fct_person_tag_current), so that a ledger lists exactly whom 政策找人 finds. -#}
{% macro ledger_tagged(tag_codes) -%}
    {%- if tag_codes is string -%}{%- set tag_codes = [tag_codes] -%}{%- endif -%}
    select distinct person_key
    from {{ ref('fct_person_tag_current') }}
    where tag_code in ({% for code in tag_codes %}'{{ code }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- A boolean fact as the forms write it: 是 / 否 (null stays null). -#}
{% macro ledger_yes_no(expression) -%}
    case when {{ expression }} then '是' when not ({{ expression }}) then '否' end
{%- endmacro %}

{#- 老年人名册 (60+ / 80+ / 90+ / 100+): the living persons of min_age or more, or the persons carrying tag_code, by the
    committee of the residence house, with 居住状况 (独居 / 纯老家庭 / with younger residents), 老年综合津贴 and
    家庭医生签约. One macro, four ledgers, so the rosters cannot drift apart. -#}
{% macro ledger_elderly_roster(min_age=none, tag_code=none) -%}
{%- if (min_age is none) == (tag_code is none) -%}
    {{ exceptions.raise_compiler_error("ledger_elderly_roster: give exactly one of min_age and tag_code") }}
{%- endif -%}
with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

profiles as (
    select person_key, family_doctor_signed
    from {{ ref('dim_person_profile') }}
){% if tag_code %},

tagged as (
    {{ ledger_tagged(tag_code) }}
){% endif %}

{% set final_from %}
base
inner join profiles on base.person_key = profiles.person_key
{%- if tag_code %}
inner join tagged on base.person_key = tagged.person_key
{%- endif %}
{% endset %}

{{ ledger_person_select(final_from, {
    'living_arrangement': "case
        when base.lives_alone then '独居'
        when base.household_min_age >= 60 then '纯老家庭'
        when base.household_living_count is not null then '与60岁以下人员同住'
    end",
    'household_living_count': 'cast(base.household_living_count as integer)',
    'allowance_tier': "case when base.allowance_status = '发放中' then base.allowance_tier end",
    'allowance_monthly_amount': "case when base.allowance_status = '发放中' then base.allowance_monthly_amount end",
    'family_doctor_signed': ledger_yes_no('profiles.family_doctor_signed'),
}, where='base.committee_code is not null' if tag_code
   else "base.status = 'living' and base.age >= " ~ min_age ~ " and base.committee_code is not null") }}
{%- endmacro %}

{#- One record per person of a department's staging model, joined through fct_person_source_records (role subject):
    the first by order_by (then record_key, so the choice is stable). A CTE body; its columns are person_key and the
    staging model's own. -#}
{% macro ledger_department_record(model, order_by, where=none) -%}
    select * exclude (record_rank)
    from (
        select
            records.person_key,
            department.*,
            row_number() over (
                partition by records.person_key order by {{ order_by }}, department.record_key
            ) as record_rank
        from {{ ref('fct_person_source_records') }} as records
        inner join {{ ref(model) }} as department on records.record_key = department.record_key
        where records.role = 'subject'{% if where %}
          and ({{ where }}){% endif %}
    )
    where record_rank = 1
{%- endmacro %}

{#- One record per person of the population registers (resolution.register) that give households (households=true:
    户籍) or do not (实有人口), joined through fct_person_source_records (role subject): the one in force (a status that
    means living) first, then the latest by updated_at when the register stages one, else by its registration date
    (register.period_start), then the latest loaded, then record_key. A CTE body: person_key and `columns`, [name, type,
    from] triples read from the register's household (from 'household'), registration date ('period_start') or staged
    column of that name (from none; null where the register has none). No rows when no such register is configured. -#}
{% macro ledger_register_record(households, columns) -%}
{%- set parts = [] -%}
{%- for system, spec in systems_with('register') -%}
    {%- set register = spec.resolution.register -%}
    {%- if (register.household and households) or (not register.household and not households) -%}
        {%- set living = register.status_values | selectattr(1, 'equalto', 'living') | map(attribute=0) | list -%}
        {%- set ordered_on = staged_or_null(spec, 'updated_at', 'timestamp') -%}
        {%- set part -%}
        select
            record_key,
            loaded_at,
            {{ register.status_column }} in ('{{ living | join("', '") }}') as in_force,
            {{ ordered_on if ordered_on != 'cast(null as timestamp)' else register.period_start }} as ordered_on,
            {%- for column in columns %}
            {%- if column[2] == 'household' %}
            {{ register.household }} as {{ column[0] }}{{ "," if not loop.last }}
            {%- elif column[2] == 'period_start' %}
            {{ register.period_start }} as {{ column[0] }}{{ "," if not loop.last }}
            {%- else %}
            {{ staged_or_null(spec, column[0], column[1]) }} as {{ column[0] }}{{ "," if not loop.last }}
            {%- endif %}
            {%- endfor %}
        from {{ ref(spec.model) }}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endif -%}
{%- endfor -%}
{%- if parts %}
    select person_key{% for column in columns %}, {{ column[0] }}{% endfor %}
    from (
        select
            records.person_key,
            register.*,
            row_number() over (
                partition by records.person_key
                order by register.in_force desc nulls last, register.ordered_on desc nulls last, register.loaded_at desc,
                    register.record_key
            ) as record_rank
        from {{ ref('fct_person_source_records') }} as records
        inner join (
{{ parts | join('\n        union all by name\n') }}
        ) as register on records.record_key = register.record_key
        where records.role = 'subject'
    )
    where record_rank = 1
{%- else %}
    {{ empty_relation([['person_key', 'varchar']] + columns) }}
{%- endif %}
{%- endmacro %}

{#- 残疾人台账 / 重度残疾人名册: the persons carrying any of tag_codes, with their latest 残疾人证 (残联). 类别 and 等级 are
    the profile's (the ones the tags test), so a row's 等级 always agrees with the tag that put it there. -#}
{% macro ledger_disabled_roster(tag_codes) -%}
with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged(tag_codes) }}
),

profiles as (
    select person_key, disability_category, disability_grade
    from {{ ref('dim_person_profile') }}
),

certificates as (
    {{ ledger_department_record(
        'stg_disabled_persons_federation__disabled_persons',
        'department.issued_on desc nulls last, department.loaded_at desc') }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
inner join profiles on base.person_key = profiles.person_key
left join certificates on base.person_key = certificates.person_key
{% endset %}

{{ ledger_person_select(final_from, {
    'disability_cert_no': 'certificates.disability_cert_no',
    'cert_matches_id': ledger_yes_no('not certificates.cert_conflicts_id'),
    'disability_category': 'profiles.disability_category',
    'disability_grade': "case profiles.disability_grade
        when 1 then '一级' when 2 then '二级' when 3 then '三级' when 4 then '四级'
    end",
    'issued_on': 'certificates.issued_on',
    'guardian_name': 'certificates.guardian_name',
    'guardian_phone': 'certificates.guardian_phone',
}, where='base.committee_code is not null') }}
{%- endmacro %}

{#- 党员名册 / 预备党员名册: the persons carrying tag_code, with their 党员 record (组织部). -#}
{% macro ledger_party_roster(tag_code, with_full_member_on=true) -%}
with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

tagged as (
    {{ ledger_tagged(tag_code) }}
),

party as (
    {{ ledger_department_record(
        'stg_party_organisation__party_members',
        "(department.member_type = '正式党员') desc nulls last, department.loaded_at desc") }}
)

{% set final_from %}
base
inner join tagged on base.person_key = tagged.person_key
left join party on base.person_key = party.person_key
{% endset %}

{#- full_member_on only where the ledger's YAML declares it (with_full_member_on) -#}
{%- set party_columns = {'education': 'party.education', 'joined_on': 'party.joined_on',
                         'member_type': 'party.member_type', 'party_branch': 'party.party_branch'} -%}
{%- if with_full_member_on -%}{%- do party_columns.update({'full_member_on': 'party.full_member_on'}) -%}{%- endif %}
{{ ledger_person_select(final_from, party_columns, where='base.committee_code is not null') }}
{%- endmacro %}

{#- 迁出 / 死亡注销人员台账: persons whose status is `status` with a 注销日期 in the 12 months up to as_of (or not
    dated: an undated 注销 is listed rather than lost), by the 户籍 committee, else the last residence one. -#}
{% macro ledger_deregistered(status) -%}
with base as (
    select * from {{ ref('int_ledger_person_base') }}
)

{% set final_where %}
base.status = '{{ status }}'
  and (base.status_date is null
       or (base.status_date > {{ as_of() }} - interval 1 year and base.status_date <= {{ as_of() }}))
  and coalesce(base.hukou_committee_code, base.committee_code) is not null
{% endset %}

{{ ledger_person_select('base', where=final_where, basis='hukou_else_residence') }}
{%- endmacro %}
