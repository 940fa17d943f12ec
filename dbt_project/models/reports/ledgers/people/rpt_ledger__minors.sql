{#- 未成年人花名册: living persons under 18 at as_of (no tag defines minors; the rule is the profile's). Minimum scope
    (PIPL Art. 6, 28): no phone, which is mostly a parent's. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

final as (
    select
        {{ ledger_scope_columns('base') }},
        base.person_key,
        base.name,
        base.sex,
        base.birth_date,
        base.age,
        base.id_number,
        base.population_type,
        base.household_no,
        base.relation_to_head,
        base.hukou_address,
        base.residence_address
    from base
    where base.status = 'living'
      and base.age < 18
      and base.committee_code is not null
)

select * from final
