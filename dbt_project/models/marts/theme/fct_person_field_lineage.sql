{#- The golden value of every field of every person, with the record it came from and the rule that chose it.
    Candidates: one row per (person record, field) with a non-null value; each takes the most specific rule of
    survivorship_rules matching its system; the best-ranked candidate per (person, field) wins.
    Strategy house (residence_address): the candidates vote for the house their address resolves to (not for the
    address text, which each department writes its own way). The house named by the most recently dated record wins: a
    department that kept a previous house after a move last dated its record before the move, and the move itself is
    registered later (实有人口 登记 after the move), so a house last named before another house was named is a previous
    house. Among houses last named on the same day (or never on a dated record), the house named by most observations
    (records of distinct systems or days: a row sent twice is one observation) wins; a tie goes to the house the person owns (房屋权属), then
    the house where most other members of the person's 户籍 household are named; then priority, load day and record
    date. The 户籍 house alone decides nothing: a department that kept a previous house after a move often names the 户籍
    house, and a household that lives there confirms it. -#}

with records as (
    select * from {{ ref('fct_person_source_records') }}
),

rules as (
    select field, system as system_pattern, priority, strategy
    from {{ ref('survivorship_rules') }}
    union all
    -- a population register (resolution.register) that no rule of a field matches (another city's 户籍 / 实有人口
    -- register): the field's strategy at its first priority, so its status, population type and 户籍 address count
    select seed.field, registers.system, min(seed.priority), any_value(seed.strategy)
    from {{ ref('survivorship_rules') }} as seed
    cross join (select unnest({{ register_systems(as_list=true) }}) as system) as registers
    group by seed.field, registers.system
    having not bool_or(registers.system glob seed.system)
),

{%- set fields = [
    ('name', 'person_name', 'null', 'true'),
    ('id_number', 'id_number', 'null', 'id_is_person_id'),
    ('sex', 'sex', 'null', 'true'),
    ('birth_date', 'cast(birth_date as varchar)', 'null', 'true'),
    ('ethnicity', 'ethnicity', 'null', 'true'),
    ('phone', 'phone', 'null', 'true'),
    ('hukou_address', 'hukou_address', 'hukou_house_key', 'true'),
    ('residence_address', 'residence_address', 'residence_house_key', 'true'),
    ('status', 'status', 'null', 'true'),
    ('population_type', 'population_type', 'null', 'true'),
] %}

-- each person's records numbered in record_person_key order: with the person key the number stands for the record in
-- the candidates (an integer instead of a ~70-character key, 25M times at 1M persons) and keeps its order within the
-- person, the sort key's last tie-break (numbered per person, not citywide: no sort of every record)
numbered as (
    select *, row_number() over (partition by person_key order by record_person_key) as record_no
    from records
),

-- one narrow row per (record, field) with a value: what it votes for is a hash (of its value, or of its house under
-- strategy house), so the value text (often a whole address) is not carried through the ranking; the winner's value
-- is read back from its record at the end. Two different votes of one person and field would have to collide in a
-- 64-bit hash to be counted together.
candidates as (
    {%- for field, expression, house, condition in fields %}
    select
        person_key, record_no, system, cast(loaded_at as date) as loaded_on, recorded_on,
        {{ loop.index }} as field_no,
        hash('value:' || cast({{ expression }} as varchar)) as value_vote,
        cast({{ house }} as varchar) as house_key
    from numbered
    where {{ expression }} is not null and {{ condition }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

field_numbers as (
    select * from (values
    {%- for field, expression, house, condition in fields %}
        ({{ loop.index }}, '{{ field }}'){{ ',' if not loop.last }}
    {%- endfor %}
    ) as numbers (field_no, field)
),

-- evidence for residence (strategy house): the houses the person owns, and where the other members of the person's
-- 户籍 household (same 户号) are named as living
owned_houses as (
    select distinct person_key, property_house_key as house_key
    from records
    where property_house_key is not null
),

households as (
    select distinct person_key, household_no
    from records
    where household_no is not null
),

household_houses as (
    select
        households.person_key,
        members_records.residence_house_key as house_key,
        count(distinct members_records.person_key) as household_members
    from households
    inner join households as members
        on households.household_no = members.household_no
        and households.person_key <> members.person_key
    inner join records as members_records
        on members.person_key = members_records.person_key
        and members_records.residence_house_key is not null
    group by all
),

-- the most specific rule matching each system: an exact name first, then the longest pattern
system_rules as (
    select
        systems.system,
        rules.field,
        rules.system_pattern,
        rules.priority,
        rules.strategy
    from (select distinct system from records) as systems
    inner join rules on systems.system glob rules.system_pattern
    qualify row_number() over (
        partition by systems.system, rules.field
        order by strpos(rules.system_pattern, '*') = 0 desc, length(rules.system_pattern) desc, rules.priority
    ) = 1
),

ruled as (
    select
        candidates.*,
        system_rules.system_pattern,
        system_rules.priority,
        system_rules.strategy
    from candidates
    inner join field_numbers on candidates.field_no = field_numbers.field_no
    inner join system_rules
        on field_numbers.field = system_rules.field
        and candidates.system = system_rules.system
),

-- what a candidate votes for: its house under strategy house, else its value
voted as (
    select
        ruled.* exclude (value_vote),
        case when ruled.strategy = 'house' and ruled.house_key is not null then hash('house:' || ruled.house_key)
             else ruled.value_vote end as vote
    from ruled
),

-- how many of the person's candidate records give the same value (consensus strategy, and shown as evidence)
agreement as (
    select person_key, field_no, vote, count(*) as agreeing_records
    from voted
    group by person_key, field_no, vote
),

-- strategy house counts observations: records of one system on one day (the record's own date, else its load day)
-- are one observation, so a row a department sent twice does not outvote another department (owned_houses and
-- household_houses have one row per person and house: the joins repeat no candidate)
house_evidence as (
    select
        voted.person_key,
        voted.field_no,
        voted.vote,
        count(distinct voted.system || ' ' || cast(coalesce(voted.recorded_on, voted.loaded_on) as varchar))
            as observations,
        max(voted.recorded_on) as last_named_on,
        bool_or(owned_houses.house_key is not null) as is_owned,
        max(coalesce(household_houses.household_members, 0)) as household_members
    from voted
    left join owned_houses
        on voted.person_key = owned_houses.person_key and voted.house_key = owned_houses.house_key
    left join household_houses
        on voted.person_key = household_houses.person_key and voted.house_key = household_houses.house_key
    where voted.strategy = 'house'
    group by all
),

-- the order of candidates as one comparable key (smallest first); a missing date sorts after every date
-- the fields after record_no never decide (record_no is unique within the person): they carry the candidate's rule
-- and evidence through the min(), so the winner needs no join back to its candidate row
keyed as (
    select
        voted.person_key,
        voted.field_no,
        {
            'latest': case when voted.strategy = 'house'
                           then coalesce(-(house_evidence.last_named_on - {{ day_number_origin() }}), 100000) else 0 end,
            'consensus': case when voted.strategy = 'consensus' then -agreement.agreeing_records
                              when voted.strategy = 'house' then -house_evidence.observations else 0 end,
            'owned': case when house_evidence.is_owned then 0 else 1 end,
            'household': -coalesce(house_evidence.household_members, 0),
            'recent_load': case when voted.strategy = 'recency' then -(voted.loaded_on - {{ day_number_origin() }}) else 0 end,
            'recent_record': case when voted.strategy = 'recency' then coalesce(-(cast(voted.recorded_on as date) - {{ day_number_origin() }}), 1) else 0 end,
            'priority': voted.priority,
            'load': -(voted.loaded_on - {{ day_number_origin() }}),
            'record': coalesce(-(cast(voted.recorded_on as date) - {{ day_number_origin() }}), 1),
            'record_no': voted.record_no,
            'system_pattern': voted.system_pattern,
            'strategy': voted.strategy,
            'agreeing_records': agreement.agreeing_records,
            'observations': coalesce(house_evidence.observations, 0),
            'last_named_on': house_evidence.last_named_on,
            'is_owned': coalesce(house_evidence.is_owned, false),
            'household_members': coalesce(house_evidence.household_members, 0)
        } as sort_key
    from voted
    inner join agreement
        on voted.person_key = agreement.person_key
        and voted.field_no = agreement.field_no
        and voted.vote = agreement.vote
    left join house_evidence
        on voted.person_key = house_evidence.person_key
        and voted.field_no = house_evidence.field_no
        and voted.vote = house_evidence.vote
),

-- the best sort key per (person, field): a narrow aggregate (at city scale an arg_min holding every group's whole row
-- runs out of memory); record_no names one candidate of the person
best as (
    select person_key, field_no, count(*) as candidate_count, min(sort_key) as winner
    from keyed
    group by person_key, field_no
),

-- the winning candidate, with its record read back: the value, the house and the value's date of its field
winners as (
    select
        best.person_key,
        field_numbers.field,
        best.candidate_count,
        best.winner,
        numbered.record_person_key,
        numbered.record_key,
        numbered.system,
        numbered.recorded_on,
        numbered.loaded_at,
        case best.field_no
        {%- for field, expression, house, condition in fields %}
            when {{ loop.index }} then cast({{ expression }} as varchar)
        {%- endfor %}
        end as value,
        case best.field_no
        {%- for field, expression, house, condition in fields %}{% if house != 'null' %}
            when {{ loop.index }} then cast({{ house }} as varchar)
        {%- endif %}{% endfor %}
        end as house_key,
        case when best.field_no = {{ (fields | map(attribute=0) | list).index('status') + 1 }} then status_date end
            as value_date
    from best
    inner join numbered on numbered.person_key = best.person_key and numbered.record_no = best.winner.record_no
    inner join field_numbers on field_numbers.field_no = best.field_no
),

final as (
    select
        cast(person_key as varchar) as person_key,
        cast(field as varchar) as field,
        cast(value as varchar) as value,
        cast(house_key as varchar) as house_key,
        cast(value_date as date) as value_date,
        cast(record_person_key as varchar) as record_person_key,
        cast(record_key as varchar) as record_key,
        cast(system as varchar) as system,
        cast(winner.system_pattern || ' #' || winner.priority || ' ' || winner.strategy as varchar) as rule,
        cast(winner.priority as integer) as priority,
        cast(winner.strategy as varchar) as strategy,
        cast(recorded_on as date) as recorded_on,
        cast(loaded_at as timestamp with time zone) as loaded_at,
        cast(candidate_count as bigint) as candidate_count,
        cast(winner.agreeing_records as bigint) as agreeing_records,
        -- strategy house: why the house won, in words
        cast(case when winner.strategy = 'house' then concat_ws('; ',
            case when winner.last_named_on is not null
                then 'last named on ' || cast(winner.last_named_on as varchar) || ' (the most recent dated record)' end,
            winner.agreeing_records || ' of ' || candidate_count || ' records name the house ('
                || winner.observations || ' observations: systems and days)',
            case when winner.is_owned then 'owned by the person (房屋权属)' end,
            case when winner.household_members > 0
                then winner.household_members || ' member(s) of the 户籍 household named here' end
        ) end as varchar) as evidence
    from winners
)

select * from final
