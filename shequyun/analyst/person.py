"""`shequyun person show`: one person as the thematic database knows them - the golden record, where each of its
values came from, the tags with their provenance, the houses and the latest visits.

A person is looked up by person_key (P + 15 hex digits) or ID number: 18 characters with a right GB 11643 check
character, or the old 15-digit form, converted to 18 (insert 19 before the 2-digit year, append the check
character computed by python-stdnum) as the staging models do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from stdnum.cn import ric

from shequyun.analyst.database import connect_read_only, table_exists
from shequyun.analyst.masking import mask_field, pii_kind
from shequyun.analyst.publish import is_analyst_database
from shequyun.analyst.query import plain, render_table
from shequyun.privacy.tokens import TokenSecretError, token, token_secret

PERSON_KEY = re.compile(r"^P[0-9a-f]{15}$")

GOLDEN_LABELS = {
    "person_key": "人员编号", "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期",
    "ethnicity": "民族", "phone": "联系电话", "population_type": "人员类别", "status": "状态",
    "status_date": "注销日期", "hukou_address": "户籍地址", "hukou_house_key": "户籍房屋",
    "residence_address": "居住地址", "residence_house_key": "居住房屋", "residence_committee": "居住居委会",
    "residence_street": "居住街镇", "record_count": "记录数", "systems": "来源系统",
}


class PersonLookupError(ValueError):
    """A person key or ID number that is malformed or names nobody; the message says which."""


@dataclass(frozen=True)
class Lookup:
    kind: str   # person_key / id_number
    value: str
    given: str  # what the analyst typed (an old 15-digit number before conversion)


def convert_15_to_18(number: str) -> str:
    """The 1999 form of a 15-digit number: 19 inserted before the year, then the MOD 11-2 check character."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + ric.calc_check_digit(first17 + "0")  # calc_check_digit ignores the last character


def parse_lookup(text: str) -> Lookup:
    """A person_key, an 18-character ID number or a 15-digit one (converted); PersonLookupError when it is neither."""
    given = text
    value = re.sub(r"\s+", "", text)
    if PERSON_KEY.match(value):
        return Lookup("person_key", value, given)
    value = value.upper()
    if re.fullmatch(r"\d{15}", value):
        value = convert_15_to_18(value)
    if re.fullmatch(r"\d{17}[\dX]", value):
        expected = ric.calc_check_digit(value)
        if expected != value[-1]:
            raise PersonLookupError(f"{_shown(value)} is not a valid ID number: its check character should be {expected}")
        return Lookup("id_number", value, given)
    raise PersonLookupError(f"{given!r} is neither a person key (P + 15 hex digits) nor an ID number (18 characters or 15 digits)")


def _shown(id_number: str, unmasked: bool = False) -> str:
    return id_number if unmasked else str(mask_field("id_number", id_number))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    columns = [d[0] for d in cur.description]
    return [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in cur.fetchall()]


def _masked(rows: list[dict[str, Any]], unmasked: bool) -> list[dict[str, Any]]:
    if unmasked:
        return rows
    return [{k: mask_field(pii_kind(k), v) for k, v in row.items()} for row in rows]


def _lineage_masked(rows: list[dict[str, Any]], unmasked: bool) -> list[dict[str, Any]]:
    """The value column holds the value of the named field: an ID number or a phone is masked as such."""
    if unmasked:
        return rows
    out = []
    for row in rows:
        kind = pii_kind(str(row["field"]))
        out.append({k: (mask_field(kind, v) if k == "value" else mask_field(pii_kind(k), v)) for k, v in row.items()})
    return out


def person_report(db: Path, text: str, *, visits: int = 5, unmasked: bool = False,
                  data_dir: Path | None = None) -> dict[str, Any]:
    """Everything `person show` prints, as plain data (the --json output). PersonLookupError when nobody matches.
    In the analyst database an ID number is found by its keyed token (`id_number_token`), computed with the
    deployment's secret from `data_dir` (shequyun.privacy.tokens)."""
    lookup = parse_lookup(text)
    with connect_read_only(db) as con:
        column, value = "person_key", lookup.value
        if lookup.kind == "id_number":
            column = "id_number"
            if is_analyst_database(con):
                column, value = "id_number_token", _id_token(lookup.value, data_dir)
        persons = _rows(con, f"""
            select p.person_key, p.name, p.id_number, p.sex, p.birth_date, p.ethnicity, p.phone, p.population_type,
                   p.status, p.status_date, p.hukou_address, p.hukou_house_key, p.residence_address,
                   p.residence_house_key, r.committee_name as residence_committee, r.street_name as residence_street,
                   p.record_count, p.systems
            from marts.dim_person as p
            left join marts.dim_house as r on r.house_key = p.residence_house_key
            where p.{column} = ?
            order by p.person_key""", [value])
        if not persons:
            what = f"person key {lookup.value}" if lookup.kind == "person_key" else f"ID number {_shown(lookup.value, unmasked)}"
            if lookup.given.strip() != lookup.value and lookup.kind == "id_number":
                what += f" (from the 15-digit {_shown(lookup.given.strip(), unmasked)})"
            raise PersonLookupError(f"no person with {what} in {db}")
        has_visits = table_exists(con, "marts", "fct_visit")
        has_history = table_exists(con, "marts", "fct_person_tag")
        has_tags = table_exists(con, "marts", "fct_person_tag_current")
        report = {
            "database": str(db),
            "lookup": {"kind": lookup.kind, "value": lookup.value if unmasked or lookup.kind == "person_key"
                       else _shown(lookup.value)},
            "masked": not unmasked,
            "persons": [_one_person(con, p, visits, has_visits, has_tags, has_history, unmasked) for p in persons],
        }
    return report


def _id_token(id_number: str, data_dir: Path | None) -> str:
    if data_dir is None:
        raise PersonLookupError("finding a person by ID number in the analyst database needs the data directory "
                                "(its token secret)")
    try:
        secret = token_secret(data_dir, create=False)
    except TokenSecretError as exc:
        raise PersonLookupError(f"cannot look up an ID number here: {exc}") from exc
    return str(token("id_number", id_number, secret))


def _one_person(con: duckdb.DuckDBPyConnection, person: dict[str, Any], visits: int, has_visits: bool,
                has_tags: bool, has_history: bool, unmasked: bool) -> dict[str, Any]:
    key = person["person_key"]
    lineage = _rows(con, """
        select field, value, system, rule, strategy, record_key, recorded_on, candidate_count, agreeing_records
        from marts.fct_person_field_lineage where person_key = ? order by field""", [key])
    tags = _rows(con, """
        select tag_code, tag_name, level, area_code, rule, valid_from, source_systems, source_record_keys
        from marts.fct_person_tag_current where person_key = ? order by level, tag_code""", [key]) if has_tags else []
    closed_tags = _rows(con, """
        select tag_code, tag_name, valid_from, valid_to, rule, source_record_keys
        from marts.fct_person_tag where person_key = ? and not is_current order by valid_to desc, tag_code""",
                        [key]) if has_history else []
    houses = _rows(con, """
        select b.relation, b.house_key, h.address, h.committee_name, h.street_name, b.valid_from, b.valid_to,
               b.is_current, b.is_golden, b.systems, b.source_record_keys
        from marts.bridge_person_house as b
        left join marts.dim_house as h on h.house_key = b.house_key
        where b.person_key = ?
        order by b.is_current desc, b.relation, b.valid_from desc nulls last, b.house_key""", [key])
    visit_part: dict[str, Any] = {"available": has_visits, "total": 0, "latest": []}
    if has_visits:
        visit_part["total"] = con.execute("select count(*) from marts.fct_visit where person_key = ?", [key]).fetchone()[0]
        visit_part["latest"] = _masked(_rows(con, """
            select visited_on, visitor_name, visitor_department, method, situation, appeal, follow_up, committee_code,
                   visit_key
            from marts.fct_visit where person_key = ?
            order by visited_on desc, visit_key desc limit ?""", [key, visits]), unmasked)
    return {
        "person": _masked([person], unmasked)[0],
        "field_lineage": _lineage_masked(lineage, unmasked),
        "tags": _masked(tags, unmasked),
        "closed_tags": _masked(closed_tags, unmasked),
        "houses": _masked(houses, unmasked),
        "visits": visit_part,
    }


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    frame = pl.DataFrame([{c: _cell(r.get(c)) for c in columns} for r in rows], schema={c: pl.String for c in columns})
    return render_table(frame)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def render_person_report(report: dict[str, Any]) -> str:
    """The text form: one block per person (an ID number held by two resolved persons shows both)."""
    out: list[str] = []
    if len(report["persons"]) > 1:
        out.append(f"{len(report['persons'])} persons hold this ID number (a committee's cannot-link decision split them)")
    for block in report["persons"]:
        person = block["person"]
        out.append(f"== 人员 {person['person_key']} {person.get('name') or ''}")
        width = max(len(v) for v in GOLDEN_LABELS.values())
        for column, label in GOLDEN_LABELS.items():
            out.append(f"  {label}{'　' * (width - len(label))}  {_cell(person.get(column)) or '-'}")
        out.append("")
        out.append("== 字段来源 (fct_person_field_lineage: the record and the survivorship rule that chose each value)")
        out.append(_table(block["field_lineage"], ["field", "value", "system", "rule", "record_key", "recorded_on",
                                                   "candidate_count", "agreeing_records"])
                   if block["field_lineage"] else "  (none)")
        out.append("")
        out.append(f"== 标签 (fct_person_tag_current): {len(block['tags'])}")
        if block["tags"]:
            out.append(_table(block["tags"], ["tag_code", "tag_name", "level", "area_code", "valid_from", "rule",
                                              "source_systems", "source_record_keys"]))
        if block["closed_tags"]:
            out.append(f"   closed tags (fct_person_tag): {len(block['closed_tags'])}")
            out.append(_table(block["closed_tags"], ["tag_code", "tag_name", "valid_from", "valid_to", "rule"]))
        out.append("")
        out.append(f"== 房屋 (bridge_person_house): {len(block['houses'])}")
        if block["houses"]:
            out.append(_table(block["houses"], ["relation", "address", "committee_name", "valid_from", "valid_to",
                                                "is_current", "is_golden", "systems", "house_key"]))
        out.append("")
        visits = block["visits"]
        if not visits["available"]:
            out.append("== 走访: no visit data in this database (marts.fct_visit is not built)")
        else:
            out.append(f"== 走访 (fct_visit): latest {len(visits['latest'])} of {visits['total']}")
            if visits["latest"]:
                out.append(_table(visits["latest"], ["visited_on", "visitor_name", "visitor_department", "method",
                                                     "situation", "appeal", "follow_up"]))
        out.append("")
    if report["masked"]:
        out.append("ID and phone numbers masked; --unmasked shows them in full.")
    return "\n".join(out).rstrip("\n")
