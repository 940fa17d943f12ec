{#- The golden value of every field of every person, with the record it came from and the rule that chose it.
    Candidates: one row per (person record, field) with a non-null value; each takes the most specific rule of
    survivorship_rules matching its system; the best-ranked candidate per (person, field) wins. -#}

with records as (
    select * from {{ ref('fct_person_source_records') }}
),

rules as (
    select field, system as system_pattern, priority, strategy
    from {{ ref('survivorship_rules') }}
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

candidates as (
    {%- for field, expression, house, condition in fields %}
    select
        person_key, record_person_key, record_key, system, loaded_at, recorded_on,
        '{{ field }}' as field,
        cast({{ expression }} as varchar) as value,
        cast({{ house }} as varchar) as house_key,
        {{ 'status_date' if field == 'status' else 'cast(null as date)' }} as value_date
    from records
    where {{ expression }} is not null and {{ condition }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
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
    inner join system_rules
        on candidates.field = system_rules.field
        and candidates.system = system_rules.system
),

-- how many of the person's candidate records give the same value (consensus strategy, and shown as evidence)
agreement as (
    select person_key, field, value, count(*) as agreeing_records
    from ruled
    group by person_key, field, value
),

-- the order of candidates as one comparable key (smallest first); a missing date sorts after every date
keyed as (
    select
        ruled.*,
        agreement.agreeing_records,
        {
            'consensus': case when ruled.strategy = 'consensus' then -agreement.agreeing_records else 0 end,
            'recent_load': case when ruled.strategy = 'recency' then -(cast(ruled.loaded_at as date) - date '2000-01-01') else 0 end,
            'recent_record': case when ruled.strategy = 'recency' then coalesce(-(cast(ruled.recorded_on as date) - date '2000-01-01'), 1) else 0 end,
            'priority': ruled.priority,
            'load': -(cast(ruled.loaded_at as date) - date '2000-01-01'),
            'record': coalesce(-(cast(ruled.recorded_on as date) - date '2000-01-01'), 1),
            'record_person_key': ruled.record_person_key
        } as sort_key
    from ruled
    inner join agreement
        on ruled.person_key = agreement.person_key
        and ruled.field = agreement.field
        and ruled.value = agreement.value
),

-- the best sort key per (person, field) first (a narrow aggregate: at city scale an arg_min holding every group's
-- whole row runs out of memory), then its row; record_person_key ends the key, so it names one candidate
best as (
    select person_key, field, count(*) as candidate_count, min(sort_key) as best_key
    from keyed
    group by person_key, field
),

winners as (
    select
        best.person_key,
        best.field,
        best.candidate_count,
        keyed as winner
    from best
    inner join keyed
        on keyed.person_key = best.person_key
        and keyed.field = best.field
        and keyed.record_person_key = best.best_key.record_person_key
),

final as (
    select
        cast(person_key as varchar) as person_key,
        cast(field as varchar) as field,
        cast(winner.value as varchar) as value,
        cast(winner.house_key as varchar) as house_key,
        cast(winner.value_date as date) as value_date,
        cast(winner.record_person_key as varchar) as record_person_key,
        cast(winner.record_key as varchar) as record_key,
        cast(winner.system as varchar) as system,
        cast(winner.system_pattern || ' #' || winner.priority || ' ' || winner.strategy as varchar) as rule,
        cast(winner.priority as integer) as priority,
        cast(winner.strategy as varchar) as strategy,
        cast(winner.recorded_on as date) as recorded_on,
        cast(winner.loaded_at as timestamp with time zone) as loaded_at,
        cast(candidate_count as bigint) as candidate_count,
        cast(winner.agreeing_records as bigint) as agreeing_records
    from winners
)

select * from final
