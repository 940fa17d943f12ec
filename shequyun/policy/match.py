"""Policy finds people (政策找人): a condition matched against the thematic database, opened read-only.

The query reads marts.dim_person_profile (the documented person view), the person's current tags
(marts.fct_person_tag_current), marts.dim_person (name, ID number, phone, residence address) and marts.dim_area
(area names). Only living persons are matched. The condition's SQL comes from shequyun.policy.sql: identifiers from
the field whitelist, every value a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from shequyun.core.build_info import build_as_of
from shequyun.policy.catalogue import Policy
from shequyun.policy.expression import All, Node, render, tag_codes
from shequyun.policy.sql import ProfileCompiler
from shequyun.privacy.masking import mask_sql

# the eligible list: column -> Chinese header (CSV); person_key first, the area after the person
COLUMNS = {
    "person_key": "人员编号", "name": "姓名", "id_number": "身份证号", "sex": "性别", "age": "年龄",
    "district_code": "区代码", "district_name": "区", "street_code": "街镇代码", "street_name": "街镇",
    "committee_code": "居委会代码", "committee_name": "居委会", "residence_address": "居住地址", "phone": "联系电话",
    "matched_tags": "符合标签",
}
AREA_KEYS = ["district_code", "district_name", "street_code", "street_name", "committee_code", "committee_name"]

_QUERY = """
with person_tags as (
    select person_key, list(tag_code order by tag_code) as tag_codes
    from marts.fct_person_tag_current
    group by person_key
),

eligible as (
    select p.person_key, p.sex, p.age, p.district_code, p.street_code, p.committee_code,
           coalesce(pt.tag_codes, []::varchar[]) as tag_codes
    from marts.dim_person_profile as p
    left join person_tags as pt on p.person_key = pt.person_key
    where p.status = 'living' and {condition}
)

select e.person_key, d.name, {id_number} as id_number, e.sex, e.age,
       e.district_code, district.name as district_name, e.street_code, street.name as street_name,
       e.committee_code, committee.name as committee_name, d.residence_address, {phone} as phone,
       list_filter(e.tag_codes, code -> list_contains(?::varchar[], code)) as matched_tag_codes
from eligible as e
inner join marts.dim_person as d on e.person_key = d.person_key
left join marts.dim_area as district on e.district_code = district.code and district.level = 'district'
left join marts.dim_area as street on e.street_code = street.code and street.level = 'street'
left join marts.dim_area as committee on e.committee_code = committee.code and committee.level = 'committee'
order by e.district_code, e.street_code, e.committee_code, e.person_key
"""


@dataclass(frozen=True)
class CompiledMatch:
    sql: str
    params: list[object]


@dataclass
class MatchResult:
    """The eligible persons (ID and phone numbers masked unless asked otherwise) and the counts per committee."""

    label: str                # the policy's code, or "where" for an ad-hoc expression
    title: str                # the policy's name, or the expression
    expression: str           # the whole condition in the --where language (tag codes)
    policy: Policy | None
    database: Path
    as_of: dt.date
    persons: pl.DataFrame     # COLUMNS (matched_tags as a list of tag names)
    warnings: list[str]
    unmasked: bool = False

    @property
    def total(self) -> int:
        return self.persons.height

    def counts(self) -> pl.DataFrame:
        """Eligible persons per committee (district, street, committee), sorted by code."""
        if self.persons.is_empty():
            return pl.DataFrame(schema={**{k: pl.String for k in AREA_KEYS}, "persons": pl.UInt32})
        return (self.persons.group_by(AREA_KEYS).agg(pl.len().alias("persons"))
                .sort(["district_code", "street_code", "committee_code"], nulls_last=True))


def compile_match(condition: Node, *, unmasked: bool = False) -> CompiledMatch:
    """The matcher's SQL and its parameters: the condition's values, then the tag codes to report per person.
    ID and phone numbers are masked inside the query (shequyun.privacy.masking.mask_sql) unless `unmasked`."""
    compiler = ProfileCompiler()
    where = compiler.condition(condition)
    id_number, phone = ("d.id_number", "d.phone") if unmasked else \
        (mask_sql("id_number", "d.id_number"), mask_sql("phone", "d.phone"))
    sql = _QUERY.format(condition=where, id_number=id_number, phone=phone)
    return CompiledMatch(sql, [*compiler.params, tag_codes(condition)])


def combine(policy: Policy | None, where: Node | None) -> Node:
    """A policy narrowed by an ad-hoc condition (both must hold)."""
    parts = [n for n in (policy.condition if policy else None, where) if n is not None]
    if not parts:
        raise ValueError("give a policy, a --where condition or both")
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def connect_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    if not Path(database).is_file():
        raise FileNotFoundError(f"no thematic database at {database}: run `shequyun run` (or `make demo`) first")
    return duckdb.connect(str(database), read_only=True)


def _missing_tags(con: duckdb.DuckDBPyConnection, codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = {r[0] for r in con.execute("select tag_code from ref.tag_catalogue where list_contains(?, tag_code)",
                                       [codes]).fetchall()}
    return [c for c in codes if c not in known]


def match(database: Path, condition: Node, *, policy: Policy | None = None, tag_names: dict[str, str] | None = None,
          label: str | None = None, unmasked: bool = False) -> MatchResult:
    """Run the condition against the database (read-only) and return the eligible persons (ID and phone numbers
    masked unless `unmasked`)."""
    compiled = compile_match(condition, unmasked=unmasked)
    tag_names = tag_names or {}
    warnings: list[str] = []
    with connect_read_only(database) as con:
        as_of = build_as_of(con)
        for code in _missing_tags(con, tag_codes(condition)):
            warnings.append(f"tag {code} is not in this database's tag catalogue (ref.tag_catalogue): rebuild the "
                            f"database after adding it; nobody carries it yet")
        persons = con.execute(compiled.sql, compiled.params).pl()
    if policy is not None and not policy.in_force(as_of):
        warnings.append(f"policy {policy.code} is in force {policy.effective_from or '…'} to {policy.effective_to or '…'}, "
                        f"not on {as_of}")
    persons = persons.with_columns(
        pl.col("matched_tag_codes").list.eval(pl.element().replace_strict(tag_names, default=pl.element()))
        .alias("matched_tags")).select(list(COLUMNS))
    expression = render(condition)
    return MatchResult(label=label or (policy.code if policy else "where"),
                       title=policy.name if policy else expression, expression=expression, policy=policy,
                       database=Path(database), as_of=as_of, persons=persons, warnings=warnings, unmasked=unmasked)
