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

-- the most specific rule matching the candidate's system: an exact name first, then the longest pattern
ruled as (
    select
        candidates.*,
        rules.system_pattern,
        rules.priority,
        rules.strategy
    from candidates
    inner join rules
        on candidates.field = rules.field
        and candidates.system glob rules.system_pattern
    qualify row_number() over (
        partition by candidates.record_person_key, candidates.field
        order by strpos(rules.system_pattern, '*') = 0 desc, length(rules.system_pattern) desc, rules.priority
    ) = 1
),

-- how many of the person's candidate records give the same value (consensus strategy, and shown as evidence)
agreement as (
    select *, count(*) over (partition by person_key, field, value) as agreeing_records
    from ruled
),

ranked as (
    select
        *,
        count(*) over (partition by person_key, field) as candidate_count,
        row_number() over (
            partition by person_key, field
            order by
                case when strategy = 'consensus' then agreeing_records end desc nulls last,
                case when strategy = 'recency' then cast(loaded_at as date) end desc nulls last,
                case when strategy = 'recency' then recorded_on end desc nulls last,
                priority,
                cast(loaded_at as date) desc,
                recorded_on desc nulls last,
                record_person_key
        ) as candidate_rank
    from agreement
),

final as (
    select
        ranked.person_key,
        ranked.field,
        ranked.value,
        ranked.house_key,
        ranked.value_date,
        ranked.record_person_key,
        ranked.record_key,
        ranked.system,
        ranked.system_pattern || ' #' || ranked.priority || ' ' || ranked.strategy as rule,
        ranked.priority,
        ranked.strategy,
        ranked.recorded_on,
        ranked.loaded_at,
        ranked.candidate_count,
        ranked.agreeing_records
    from ranked
    where ranked.candidate_rank = 1
)

select * from final
