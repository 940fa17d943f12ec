-- audit of the committee decisions: each decision, whether the model alone agreed with it, whether the
-- final clustering honours it, and whether applying it changed the outcome
with

decisions as (
    select * from {{ ref('person_link_decisions') }}
),

clusters as (
    select * from {{ ref('int_person_clusters_resolved') }}
),

latest as (
    select
        *,
        row_number() over (
            partition by least(record_person_key_a, record_person_key_b),
                         greatest(record_person_key_a, record_person_key_b)
            order by decided_at desc
        ) = 1 as is_latest
    from decisions
),

joined as (
    select
        d.record_person_key_a,
        d.record_person_key_b,
        d.decision,
        d.decided_by,
        d.decided_at,
        d.reason,
        d.is_latest,
        ca.record_person_key is not null and cb.record_person_key is not null as records_found,
        ca.model_cluster_id = cb.model_cluster_id as together_by_model,
        ca.person_cluster_id = cb.person_cluster_id as together_final
    from latest as d
    left join clusters as ca on ca.record_person_key = d.record_person_key_a
    left join clusters as cb on cb.record_person_key = d.record_person_key_b
),

final as (
    select
        *,
        case
            when not records_found then 'records_not_found'
            when not is_latest then 'superseded'
            when (decision = 'must_link') = together_final then 'applied'
            else 'conflict'
        end as status,
        coalesce(records_found and is_latest and together_by_model <> together_final, false) as changed_outcome
    from joined
)

select * from final
