{#- 构建信息: one row describing this build of the thematic database - the day it describes (as_of), when it was
    built, the code that built it, and per source system the load batches it read (from the landing receipts
    lake/receipts, one row per load). Exports, policy matching and evaluation read as_of from here
    (shequyun.core.build_info), never from a date of their own. person_match_model_estimated_at names the person
    match model the build scored with (shequyun.resolution.match_model): the built_at of the build that estimated
    it, this build's own when it estimated one. -#}
{% set stored_model = var('person_match_model') %}

with receipts as (
    select system, batch_id, status, rows_landed, finished_at
    from delta_scan('{{ var("data_dir") }}/lake/receipts')
),

per_system as (
    select
        system,
        cast(count(*) filter (where rows_landed > 0) as integer) as batches_landed,
        cast(sum(rows_landed) as bigint) as rows_landed,
        arg_max(batch_id, finished_at) as last_batch_id,
        arg_max(status, finished_at) as last_status,
        max(finished_at) as last_loaded_at,
        max(finished_at) filter (where status = 'landed') as last_landed_at,
        -- the system's last load failed (an unreadable file): this build used its last good bronze data
        coalesce(arg_max(status, finished_at) = 'failed', false) as stale
    from receipts
    group by system
),

final as (
    select
        {{ as_of() }} as as_of,
        cast(current_timestamp as timestamp with time zone) as built_at,
        cast('{{ var("code_version") }}' as varchar) as code_version,
        {% if stored_model %}
        (select cast(estimated_at as timestamp with time zone) from read_json('{{ stored_model }}/model.json'))
        {% else %}
        cast(current_timestamp as timestamp with time zone)
        {% endif %} as person_match_model_estimated_at,
        (
            select list(
                struct_pack(system, batches_landed, rows_landed, last_batch_id, last_status, last_loaded_at,
                            last_landed_at, stale)
                order by system
            )
            from per_system
        ) as source_batches
)

select * from final
