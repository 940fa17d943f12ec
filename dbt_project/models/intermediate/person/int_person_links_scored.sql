-- every link with its evidence: deterministic links on a shared trusted ID number (rule id_exact, one
-- star edge per record to the first record of its ID) or passport / permit number (rule document_exact) and Fellegi–Sunter scores of the candidate pairs
-- (rule fellegi_sunter): match weight, probability, the fields that agreed and disagreed
{% set threshold = var('person_match_probability_threshold', 0.9) %}
{% set keep_apart = var('person_keep_apart_evidence_weight', -10) %}
with

compared as (
    select * from {{ ref('int_person_pairs_compared') }} where not is_random_sample
),

weights as (
    select * from {{ ref('int_person_match_weights') }}
),

keyed as (
    select * from {{ ref('int_person_records_keyed') }}
),

prior as (
    select any_value(prior_match_weight) as prior_match_weight, any_value(u_probability) filter (
        where comparison = 'name' and level = 4) as u_name_exact
    from weights
),

persons as (
    -- persons with a trusted ID when the match model was estimated (the name frequencies' denominator)
    select any_value(trusted_persons) as n from weights
),

name_frequency as (
    -- share of persons (trusted IDs) carrying a name: agreeing on a rare name says more than on a common one
    select person_name, n_persons from {{ ref('int_person_name_frequencies') }}
),

{% set comparisons = ['name', 'birth_date', 'sex', 'phone', 'address', 'id'] %}
weighted as (
    select
        c.*,
        {% for comp in comparisons %}
        coalesce(w_{{ comp }}.match_weight, 0) as {{ comp }}_weight,
        {% endfor %}
        case when c.name_level = 4 then
            -- term-frequency adjustment of exact name agreement (as splink does): log2(u_exact / tf(name))
            coalesce(log2(prior.u_name_exact / greatest(coalesce(nf.n_persons, 1)::double / greatest(persons.n, 1),
                                                        1.0 / greatest(persons.n, 1))), 0)
            else 0 end as name_frequency_adjustment,
        coalesce(prior.prior_match_weight, 0) as prior_match_weight
    from compared as c
    cross join prior
    cross join persons
    left join keyed as kl on kl.record_person_key = c.record_person_key_a
    left join name_frequency as nf on nf.person_name = kl.person_name
    {% for comp in comparisons %}
    left join weights as w_{{ comp }}
        on w_{{ comp }}.comparison = '{{ comp }}' and w_{{ comp }}.level = c.{{ comp }}_level
    {% endfor %}
),

scored as (
    select
        record_person_key_a,
        record_person_key_b,
        'fellegi_sunter' as rule,
        blocking_rules,
        prior_match_weight
            {% for comp in comparisons %} + {{ comp }}_weight{% endfor %}
            + name_frequency_adjustment as match_weight,
        match_weight - prior_match_weight as evidence_weight,
        name_level, birth_date_level, sex_level, phone_level, address_level, id_level,
        name_frequency_adjustment,
        list_filter([
            {% for comp in comparisons %}
            case when {{ comp }}_weight > 0 then '{{ comp }}' end{{ ',' if not loop.last }}
            {% endfor %}
        ], x -> x is not null) as agreed_fields,
        list_filter([
            {% for comp in comparisons %}
            case when {{ comp }}_weight < 0 then '{{ comp }}' end{{ ',' if not loop.last }}
            {% endfor %}
        ], x -> x is not null) as disagreed_fields
    from weighted
),

exact_keyed as (
    -- the key records share exactly: a trusted ID number (a former one counted as the register's corrected one),
    -- else the passport / travel permit number of a record without a trusted ID
    select
        record_person_key,
        id_trusted,
        corrected_id,
        case when id_trusted then 'id:' || coalesce(corrected_id, valid_id)
             when document_key is not null then 'doc:' || document_key end as exact_key
    from keyed
),

exact_links as (
    -- one star edge per record to the first record of its exact key
    select
        first_value(record_person_key) over (partition by exact_key order by record_person_key)
            as record_person_key_a,
        record_person_key as record_person_key_b,
        -- id_corrected: a record of the key carries the former number of the register's corrected one
        case when not id_trusted then 'document_exact'
             when bool_or(corrected_id is not null) over (partition by exact_key) then 'id_corrected'
             else 'id_exact' end as rule,
        null as blocking_rules,
        null::double as match_weight,
        null::double as evidence_weight,
        null::integer as name_level, null::integer as birth_date_level, null::integer as sex_level,
        null::integer as phone_level, null::integer as address_level, 2 as id_level,
        null::double as name_frequency_adjustment,
        case when id_trusted then ['id'] else ['document'] end as agreed_fields,
        []::varchar[] as disagreed_fields
    from exact_keyed
    where exact_key is not null
    qualify record_person_key_a <> record_person_key_b
),

final as (
    select
        *,
        1.0 / (1.0 + pow(2.0, -match_weight)) as match_probability,
        1.0 / (1.0 + pow(2.0, -match_weight)) >= {{ threshold }} as is_accepted,
        -- strong evidence of two different persons: the clustering keeps them apart even through a chain
        evidence_weight <= {{ keep_apart }} as is_contradicted
    from scored
    union all
    select *, 1.0 as match_probability, true as is_accepted, false as is_contradicted
    from exact_links
)

select * from final
