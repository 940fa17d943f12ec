"""Render the tag catalogue into the dbt project: the seed tag_catalogue.csv and the model fct_person_tag_current.sql.

Both files are generated and committed; tests/tags/test_generated_fresh.py fails when they no longer match the
catalogue. Regenerate with `python -m shequyun.tags`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shequyun.core.settings import PROJECT_ROOT
from shequyun.tags.catalogue import Tag, load_catalogue

SEED_FILE = PROJECT_ROOT / "dbt_project" / "seeds" / "tag_catalogue.csv"
MODEL_FILE = PROJECT_ROOT / "dbt_project" / "models" / "marts" / "tags" / "fct_person_tag_current.sql"
SEED_COLUMNS = ["tag_code", "tag_name", "description", "level", "area_code", "rule", "since", "effective_from",
                "effective_to", "catalogue_file", "fields", "rule_sql"]


def render_seed(tags: list[Tag]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for t in tags:
        writer.writerow([t.code, t.name, " ".join(t.description.split()), t.level, t.area_code, t.rule, t.since or "",
                         t.effective_from or "", t.effective_to or "", t.file, " ".join(t.fields), t.condition_sql])
    return out.getvalue()


def _records_sql(tag: Tag) -> str:
    if not tag.provenance:
        return "cast([] as varchar[])"
    return "flatten([" + ", ".join(f'"{p}"' for p in tag.provenance) + "])"


def render_model(tags: list[Tag]) -> str:
    blocks = []
    for t in tags:
        blocks.append(
            f"    -- {t.code}\n"
            f"    select person_key, '{t.code}' as tag_code, {t.since_sql} as valid_from, {_records_sql(t)} as record_keys\n"
            f"    from profile\n"
            f"    where {t.condition_sql}"
        )
    matched = "\n    union all\n".join(blocks)
    return f"""{{#- GENERATED from tags/**/*.yaml by `python -m shequyun.tags`; do not edit (tests/tags/test_generated_fresh.py).
    The tags that apply now: one row per (person, tag) whose rule holds on dim_person_profile, for the tags of the
    catalogue in force at var('as_of'); an area-owned tag only inside its area. -#}}

with profile as (
    select * from {{{{ ref('dim_person_profile') }}}}
),

catalogue as (
    select tag_code, tag_name, level, area_code, rule
    from {{{{ ref('tag_catalogue') }}}}
    where (effective_from is null or effective_from <= cast('{{{{ var("as_of") }}}}' as date))
      and (effective_to is null or effective_to >= cast('{{{{ var("as_of") }}}}' as date))
),

matched as (
{matched}
),

final as (
    select
        matched.person_key,
        matched.tag_code,
        catalogue.tag_name,
        catalogue.level,
        catalogue.area_code,
        catalogue.rule,
        list_sort(list_distinct(matched.record_keys)) as source_record_keys,
        list_sort(list_distinct(list_transform(matched.record_keys, k -> split_part(k, ':', 1)))) as source_systems,
        matched.valid_from
    from matched
    inner join catalogue on matched.tag_code = catalogue.tag_code
)

select * from final
"""


def render_all(directory: Path | None = None) -> dict[Path, str]:
    tags = load_catalogue(directory) if directory else load_catalogue()
    return {SEED_FILE: render_seed(tags), MODEL_FILE: render_model(tags)}


def write_all() -> list[Path]:
    written = []
    for path, text in render_all().items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
