{#- 人员标签 with history: the tags of fct_person_tag_current, kept across builds. A build adds the tags that now
    apply (valid_to null) and closes, with valid_to = as_of(), those of the previous build that no longer apply;
    closed rows stay. A full refresh starts the history again. -#}

{{ config(materialized='incremental', unique_key='tag_assignment_key', incremental_strategy='delete+insert', on_schema_change='fail') }}

with as_of as (
    select {{ as_of() }} as as_of_date
),

current_tags as (
    select
        person_key || ':' || tag_code || ':' || coalesce(cast(valid_from as varchar), '') as tag_assignment_key,
        person_key, tag_code, tag_name, level, area_code, rule, source_record_keys, source_systems, valid_from
    from {{ ref('fct_person_tag_current') }}
),

{% if is_incremental() %}
previous as (
    select tag_assignment_key, first_seen_on
    from {{ this }}
    where valid_to is null
),

ended as (
    select
        this.tag_assignment_key, this.person_key, this.tag_code, this.tag_name, this.level, this.area_code, this.rule,
        this.source_record_keys, this.source_systems, this.valid_from,
        as_of.as_of_date as valid_to,
        this.first_seen_on,
        this.last_seen_on
    from {{ this }} as this
    cross join as_of
    where this.valid_to is null
      and this.tag_assignment_key not in (select tag_assignment_key from current_tags)
),
{% endif %}

opened as (
    select
        current_tags.tag_assignment_key, current_tags.person_key, current_tags.tag_code, current_tags.tag_name,
        current_tags.level, current_tags.area_code, current_tags.rule, current_tags.source_record_keys,
        current_tags.source_systems, current_tags.valid_from,
        cast(null as date) as valid_to,
        {% if is_incremental() %}coalesce(previous.first_seen_on, as_of.as_of_date){% else %}as_of.as_of_date{% endif %} as first_seen_on,
        as_of.as_of_date as last_seen_on
    from current_tags
    cross join as_of
    {% if is_incremental() %}left join previous on current_tags.tag_assignment_key = previous.tag_assignment_key{% endif %}
),

final as (
    select * from opened
    {% if is_incremental() %}
    union all
    select * from ended
    {% endif %}
)

select
    tag_assignment_key, person_key, tag_code, tag_name, level, area_code, rule, source_record_keys, source_systems,
    valid_from, valid_to, valid_to is null as is_current, first_seen_on, last_seen_on
from final
