"""`shequyun tags list`: the tag catalogue (tags/<level>/*.yaml, shequyun.tags.catalogue) with, when a database
exists, the owning area's name and the number of persons each tag holds for now (marts.fct_person_tag_current)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from shequyun.analyst.database import connect_read_only, table_exists
from shequyun.analyst.query import render_table
from shequyun.tags.catalogue import CITY_CODE, load_catalogue


def applies_in(tag_area: str, area: str) -> bool:
    """A tag owned by `tag_area` can apply to residents of `area` when one area contains the other (the city
    contains every area): --area 310104010 lists the city's, 徐汇区's, the street's and its committees' tags."""
    if tag_area == CITY_CODE or area == CITY_CODE:
        return True
    return area.startswith(tag_area) or tag_area.startswith(area)


def tag_rows(db: Path | None, *, level: str | None = None, area: str | None = None) -> list[dict[str, Any]]:
    """One dict per catalogue tag (filtered); `persons` is None without a database (or a tag not built yet)."""
    tags = [t for t in load_catalogue() if (level is None or t.level == level) and (area is None or applies_in(t.area_code, area))]
    counts: dict[str, int] | None = None
    names: dict[str, str] = {CITY_CODE: "上海市"}
    if db is not None:
        with connect_read_only(db) as con:
            if table_exists(con, "marts", "fct_person_tag_current"):
                counts = dict(con.execute(
                    "select tag_code, count(*) from marts.fct_person_tag_current group by tag_code").fetchall())
            if table_exists(con, "marts", "dim_area"):
                names |= dict(con.execute(
                    "select code, name from marts.dim_area where level in ('district', 'street', 'committee')").fetchall())
    return [{
        "code": t.code,
        "name": t.name,
        "level": t.level,
        "area_code": t.area_code,
        "area_name": names.get(t.area_code),
        "rule": t.rule,
        "since": t.since,
        "effective_from": t.effective_from.isoformat() if t.effective_from else None,
        "effective_to": t.effective_to.isoformat() if t.effective_to else None,
        "file": t.file,
        "persons": None if counts is None else counts.get(t.code, 0),
    } for t in tags]


def render_tags(rows: list[dict[str, Any]], *, with_counts: bool) -> str:
    columns = ["code", "name", "level", "area", "rule", "since", "validity"] + (["persons"] if with_counts else [])
    frame = pl.DataFrame([{
        "code": r["code"], "name": r["name"], "level": r["level"],
        "area": f"{r['area_code']} {r['area_name'] or ''}".strip(),
        "rule": r["rule"], "since": r["since"],
        "validity": f"{r['effective_from'] or '…'} – {r['effective_to'] or '…'}",
        "persons": r["persons"],
    } for r in rows], schema={c: (pl.Int64 if c == "persons" else pl.String) for c in columns})
    return render_table(frame.select(columns))

