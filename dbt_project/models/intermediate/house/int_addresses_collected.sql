{#- Every address string of every staging model, one row per (record, role).
    role: residence (居住地址 and the like), hukou (户籍地址), property (房屋坐落), visit (走访地址, written by 小区 name),
    family (应届毕业生's 家庭地址: the family's home as the school recorded it, not where the graduate lives now).
    names_record_house: the address that names the record's house (its residence/property/visit address; the 户籍地址
    when the system has no other address) - the one house accuracy is measured on.
    id_number, person_name: the record's valid ID number and name (the owner's for a title), used to tell apart the
    doors of one 小区 that a 小区-name address cannot (int_house_records_resolved). -#}
{%- set sources = [
    ('stg_public_security__hukou_persons', [('hukou_address', 'hukou', true)], false),
    ('stg_public_security__population_records', [('address', 'residence', true), ('hukou_address', 'hukou', false)], false),
    ('stg_civil_affairs__dibao_members', [('address', 'residence', true)], false),
    ('stg_civil_affairs__low_income_persons', [('address', 'residence', true)], false),
    ('stg_civil_affairs__tekun_persons', [('address', 'residence', true)], false),
    ('stg_civil_affairs__elderly_allowances', [('address', 'residence', true)], false),
    ('stg_disabled_persons_federation__disabled_persons', [('address', 'residence', true)], false),
    ('stg_health_commission__family_doctor_signings', [('address', 'residence', true)], false),
    ('stg_human_resources__employment_registrations', [('address', 'residence', true), ('hukou_address', 'hukou', false)], false),
    ('stg_housing_administration__property_titles', [('address', 'property', true)], false),
    ('stg_veterans_affairs__veterans', [('address', 'residence', true)], false),
    ('stg_party_organisation__party_members', [('address', 'residence', true)], false),
    ('stg_education__graduates', [('address', 'family', true)], false),
    ('stg_community_committees__visits', [('address', 'visit', true)], true),
] -%}

with collected as (
    {%- for model, columns, has_committee in sources %}
    {%- for column, role, names_house in columns %}
    select
        record_key || ':{{ role }}' as record_address_key,
        record_key,
        system,
        '{{ role }}' as address_role,
        {{ names_house }} as names_record_house,
        {{ column }} as address,
        {{ 'committee_code' if has_committee else 'cast(null as varchar)' }} as committee_code,
        {%- if model == 'stg_housing_administration__property_titles' %}
        case when owner_id_valid then owner_id_number end as id_number,
        owner_name as person_name
        {%- else %}
        case when id_valid then id_number end as id_number,
        person_name
        {%- endif %}
    from {{ ref(model) }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from collected
