"""`shequyun extract --street <code>`: a DuckDB file holding only one street's rows, for a street's analysts.

What belongs to a street S (9-digit 街镇代码):

* its houses: `marts.dim_house.street_code = S`;
* its persons: its residents, the `marts.dim_person` whose golden 居住 (residence) house is one of its houses
  (a 人户分离 person registered in S but living elsewhere is in S's 户籍 ledgers, not in its person tables);
* a row of any other table is placed by its most specific scope column that is not null, in this order:
  `committee_code` (its first 9 digits = S), `street_code` (= S), `person_key` (a resident of S), `house_key`
  (a house of S). So a ledger row goes with the committee that files it (a 户籍 roster row with the 户籍
  committee), a visit with the visited house's committee, a tag or a field's lineage with its person, and a
  rollup ledger's district rows (committee and street null: aggregates over other streets too) are left out.
* `marts.dim_area`: the street, everything inside it, and its district;
* the analyst database's marker `main.analyst_publication` is copied whole, so an extract of the (masked) analyst
  database is itself recognised as masked; an extract of the raw database (--role) has none;
* reference seeds (schema `ref`) are copied whole, except `person_link_decisions`, which keeps the decisions
  naming a record of the street's persons;
* working tables (schemas `staging`, `intermediate`: source records and matching candidates, not scoped by
  area) and tables with no scope column are left out, and listed; views are left out (they read the lake).

The file is written under a temporary name beside the output and renamed when complete, so a reader never
opens a half-written extract. Tables keep their DDL (column types, NOT NULL) from the source.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from shequyun.analyst.publish import MARKER_SCHEMA, MARKER_TABLE

WORKING_SCHEMAS = ("staging", "intermediate")
SCOPE_COLUMNS = ("committee_code", "street_code", "person_key", "house_key")  # most specific first


class ExtractError(ValueError):
    """A street code that is malformed or not in the database, or a database without the marts."""


@dataclass(frozen=True)
class TableExtract:
    table: str          # schema.table
    rows: int           # rows kept
    source_rows: int
    rule: str           # how the rows were chosen


@dataclass
class ExtractSummary:
    street_code: str
    street_name: str
    out: Path
    tables: list[TableExtract] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)   # (schema.table, reason)
    persons: int = 0
    houses: int = 0
    seconds: float = 0.0

    def render(self) -> str:
        lines = [(f"extract of {self.street_code} {self.street_name}: {self.persons:,} persons, {self.houses:,} houses "
                 f"-> {self.out} ({self.seconds:.1f} s)")]
        width = max((len(t.table) for t in self.tables), default=10)
        for t in self.tables:
            lines.append(f"  {t.table:<{width}} {t.rows:>10,} of {t.source_rows:>10,} rows  {t.rule}")
        if self.left_out:
            lines.append(f"left out: {len(self.left_out)} tables")
            by_reason: dict[str, list[str]] = {}
            for table, reason in self.left_out:
                by_reason.setdefault(reason, []).append(table)
            for reason, tables in by_reason.items():
                lines.append(f"  {reason}:")
                lines.extend(f"    {table}" for table in tables)
        return "\n".join(lines)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scope_condition(columns: list[str]) -> tuple[str, str] | None:
    """The WHERE condition placing a row by its most specific non-null scope column, and a label."""
    tests = {
        "committee_code": "left(committee_code, 9) = $street",
        "street_code": "street_code = $street",
        "person_key": "person_key in (select person_key from street_persons)",
        "house_key": "house_key in (select house_key from street_houses)",
    }
    used = [c for c in SCOPE_COLUMNS if c in columns]
    if not used:
        return None
    whens = " ".join(f"when {c} is not null then {tests[c]}" for c in used)
    return f"coalesce(case {whens} else false end, false)", "by " + " > ".join(used)


def extract_street(source: Path, street_code: str, out: Path) -> ExtractSummary:
    """Write the street's extract of `source` to `out` (replaced atomically); ExtractError for an unknown street."""
    t0 = time.perf_counter()
    if not (street_code.isdigit() and len(street_code) == 9):
        raise ExtractError(f"{street_code!r} is not a 9-digit 街镇代码 (e.g. 310104010)")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    try:
        summary = _write(source, street_code, out, tmp)
        os.replace(tmp, out)
    finally:
        for path in (tmp, tmp.with_name(tmp.name + ".wal")):
            path.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - t0
    return summary


def _write(source: Path, street: str, out: Path, tmp: Path) -> ExtractSummary:
    with duckdb.connect(str(tmp), config={"autoinstall_known_extensions": False,
                                         "autoload_known_extensions": False}) as con:
        con.execute(f"attach {_literal(str(source))} as src (read_only)")
        tables = con.execute("""
            select schema_name, table_name, sql from duckdb_tables()
            where database_name = 'src' order by schema_name, table_name""").fetchall()
        names = {(s, t) for s, t, _ in tables}
        for needed in (("marts", "dim_area"), ("marts", "dim_house"), ("marts", "dim_person")):
            if needed not in names:
                raise ExtractError(f"{source} has no {'.'.join(needed)}: build the marts first (`shequyun run`)")
        found = con.execute("select name from src.marts.dim_area where level = 'street' and code = ?", [street]).fetchone()
        if found is None:
            streets = con.execute("select count(*) from src.marts.dim_area where level = 'street'").fetchone()[0]
            raise ExtractError(f"street {street} is not in {source} (marts.dim_area has {streets} streets: "
                               "`shequyun query \"select code, name from marts.dim_area where level = 'street'\"`)")
        summary = ExtractSummary(street, found[0], out)
        con.execute("create temp table street_houses as select house_key from src.marts.dim_house where street_code = ?",
                    [street])
        con.execute("""
            create temp table street_persons as
            select person_key from src.marts.dim_person
            where residence_house_key in (select house_key from street_houses)""")
        summary.houses = con.execute("select count(*) from street_houses").fetchone()[0]
        summary.persons = con.execute("select count(*) from street_persons").fetchone()[0]
        for schema, table, ddl in tables:
            name = f"{schema}.{table}"
            columns = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where database_name = 'src' and schema_name = ? "
                "and table_name = ? order by column_index", [schema, table]).fetchall()]
            choice = _choose(schema, table, columns)
            if isinstance(choice, str):
                summary.left_out.append((name, choice))
                continue
            condition, rule = choice
            con.execute(f"create schema if not exists {_q(schema)}")
            con.execute(ddl)
            src = f"src.{_q(schema)}.{_q(table)}"
            params = {"street": street} if "$street" in condition else {}
            con.execute(f"insert into {_q(schema)}.{_q(table)} select * from {src} where {condition}", params)
            kept = con.execute(f"select count(*) from {_q(schema)}.{_q(table)}").fetchone()[0]
            source_rows = con.execute(f"select count(*) from {src}").fetchone()[0]
            summary.tables.append(TableExtract(name, kept, source_rows, rule))
        for schema, view in con.execute("select schema_name, view_name from duckdb_views() "
                                        "where database_name = 'src' and not internal order by 1, 2").fetchall():
            summary.left_out.append((f"{schema}.{view}", "view (reads outside the database)"))
        con.execute("detach src")
        con.execute("checkpoint")
    return summary


def _choose(schema: str, table: str, columns: list[str]) -> tuple[str, str] | str:
    """(condition, rule) for a table to copy, or the reason it is left out."""
    if schema in WORKING_SCHEMAS:
        return f"working table ({schema}): source records and matching candidates are not scoped by area"
    if (schema, table) == (MARKER_SCHEMA, MARKER_TABLE):
        return "true", "publication marker (numbers masked), whole"
    if (schema, table) == ("marts", "dim_area"):
        return "street_code = $street or code = left($street, 6)", "the street, its areas and its district"
    if {"record_person_key_a", "record_person_key_b"} <= set(columns):
        return (("record_person_key_a in (select record_person_key from src.marts.fct_person_source_records "
                "where person_key in (select person_key from street_persons)) or record_person_key_b in "
                "(select record_person_key from src.marts.fct_person_source_records "
                "where person_key in (select person_key from street_persons))"),
                "decisions naming a record of the street's persons")
    scoped = _scope_condition(columns)
    if scoped is not None:
        return scoped
    if schema == "ref":
        return "true", "reference, whole"
    return "no person_key, house_key, committee_code or street_code column"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
