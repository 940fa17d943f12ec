"""Render the tag catalogue into the dbt project: the seed tag_catalogue.csv and the model fct_person_tag_current.sql
(from the Jinja template templates/fct_person_tag_current.sql.j2).

Both files are generated and committed; tests/tags/test_generated_fresh.py fails when they no longer match the
catalogue. Regenerate with `python -m shequyun.tags`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jinja2

from shequyun.core.settings import DBT_PROJECT_DIR, REFERENCE_DIR
from shequyun.tags.catalogue import Tag, load_catalogue

SEED_FILE = REFERENCE_DIR / "tag_catalogue.csv"
MODEL_FILE = DBT_PROJECT_DIR / "models" / "marts" / "tags" / "fct_person_tag_current.sql"
MODEL_TEMPLATE = "fct_person_tag_current.sql.j2"
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


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("shequyun.tags", "templates"),
    variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
    comment_start_string="[#", comment_end_string="#]",
    keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False,
)
_TEMPLATES.filters["records_sql"] = _records_sql


def render_model(tags: list[Tag]) -> str:
    """The model from its template (templates/fct_person_tag_current.sql.j2): a loop over the catalogue. The template
    uses [[ ]] / [% %] so that the dbt Jinja it holds ({{ ref(...) }}, {{ as_of() }}) passes through untouched."""
    return _TEMPLATES.get_template(MODEL_TEMPLATE).render(tags=tags)


def render_all(directory: Path | None = None) -> dict[Path, str]:
    tags = load_catalogue(directory) if directory else load_catalogue()
    return {SEED_FILE: render_seed(tags), MODEL_FILE: render_model(tags)}


def write_all() -> list[Path]:
    written = []
    for path, text in render_all().items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
