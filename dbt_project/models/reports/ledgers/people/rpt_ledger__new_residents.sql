{#- 新迁入人员台账: living persons whose current residence began in the 3 months up to as_of (residence_since, the
    earliest start of the golden 实住 relation), with the residence they came from when a record names one. -#}

with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

-- the latest earlier residence: a 实住 relation other than the golden one, ended
previous as (
    select
        relations.person_key,
        arg_max(houses.address, coalesce(relations.valid_to, relations.valid_from, {{ earliest_date() }})) as previous_address
    from {{ ref('bridge_person_house') }} as relations
    inner join {{ ref('dim_house') }} as houses on relations.house_key = houses.house_key
    where relations.relation = '实住' and not relations.is_golden
    group by relations.person_key
)

{% set final_from %}
base
left join previous on base.person_key = previous.person_key
{% endset %}

{% set final_where %}
base.status = 'living'
  and base.residence_since > {{ as_of() }} - interval 3 month
  and base.residence_since <= {{ as_of() }}
  and base.committee_code is not null
{% endset %}

{{ ledger_person_select(final_from, {
    'previous_address': 'previous.previous_address',
    'hukou_place': 'coalesce(base.hukou_address, base.hukou_region_name)',
}, where=final_where) }}
