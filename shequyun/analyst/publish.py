"""The analyst database: a copy of what analysts read in which no ID or phone number is left to find.

Masking what a query prints is a filter a query can walk around (`hex(id_number)`, `to_json(p)`, `reverse(...)`,
a slice): so analysts, street extracts and `person show` read a separate file, `<data dir>/warehouse/analyst.duckdb`,
in which the numbers are already gone. After each successful build it is written from the new thematic database
under a private name and swapped in atomically like the thematic database (shequyun.core.warehouse), and nothing
in it can be turned back into a number: the raw columns are not in the file.

What the file holds:

* the schemas analysts use, `marts`, `reports`, `ref`, `snapshots`, table by table with the source's DDL (column
  types, NOT NULL); the working schemas `staging` and `intermediate` (source records) are left out;
* a **PII column** (declared once: shequyun.analyst.masking.pii_kind, i.e. the ledgers' `meta.pii` and the naming
  rule `id_number`, `*_phone`, 身份证 ...) is masked (strict form: an ID number keeps its first 3 characters,
  `310***************`; a phone 3 + 4, `138****5678`; an account its last 4), and an ID or phone column gets a
  keyed token beside it, `<column>_token` (shequyun.privacy.tokens: HMAC-SHA256 with the deployment's secret), so
  analysts can still join and count distinct numbers;
* a generated key (`*_key`, `*_keys`, `*_id`: P/H + hex hashes) is kept as it is;
* **every other text**, also inside lists, structs and maps, goes through the value rule: an 18-character ID number
  (or a 20-character 残疾人证号) or an 11-digit mobile number standing on its own is masked where it appears; a
  `value` column beside a `field` column (fct_person_field_lineage) is masked as the kind of its field;
* `main.analyst_publication`: one row saying the file is a masked publication, of which build, with which key
  (key id, not the key) - commands refuse to treat a file without it as safe.

tests/analyst/test_pii_by_construction.py scans every column of the file for ID- and mobile-shaped values (a new
column that holds numbers under a name the rule does not know fails it) and tries the known bypasses.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from shequyun.analyst.masking import pii_kind, value_rule_sql
from shequyun.core.failpoints import failpoint
from shequyun.privacy.masking import mask_sql
from shequyun.privacy.tokens import key_id, token_secret, token_sql

ANALYST_DATABASE_NAME = "analyst.duckdb"
PUBLISHED_SCHEMAS = ("marts", "reports", "ref", "snapshots")
MARKER_SCHEMA, MARKER_TABLE = "main", "analyst_publication"
TOKENISED_KINDS = ("id_number", "phone")
TOKEN_SUFFIX = "_token"
# generated keys (person_key P + 15 hex digits, house_key, tag_assignment_key, dbt_scd_id ...): kept as they are, a
# run of 11 digits inside a hash is not a mobile number, and masking it would break every join
IDENTIFIER = re.compile(r"(^|_)(key|keys|id)$")


class PublishError(RuntimeError):
    """The analyst database cannot be written (a token column would clash with a column of the same name ...)."""


def analyst_database(warehouse: Path) -> Path:
    return warehouse / ANALYST_DATABASE_NAME


@dataclass
class Publication:
    """An analyst database written under a private name; `commit()` swaps it in, `discard()` removes it."""

    tmp: Path
    target: Path
    tables: int = 0
    rows: int = 0
    masked_columns: list[str] = field(default_factory=list)    # schema.table.column (kind)
    token_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    table_seconds: dict[str, float] = field(default_factory=dict)     # schema.table -> seconds to write it

    def commit(self) -> Path:
        fd = os.open(self.tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        failpoint("analyst.swap.before")
        os.replace(self.tmp, self.target)
        fd = os.open(self.target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return self.target

    def discard(self) -> None:
        for path in (self.tmp, self.tmp.with_name(self.tmp.name + ".wal")):
            path.unlink(missing_ok=True)

    def render(self) -> str:
        return (f"analyst database {self.target}: {self.tables} tables, {self.rows:,} rows, "
                f"{len(self.masked_columns)} PII columns masked, {len(self.token_columns)} token columns "
                f"({self.seconds:.1f} s)")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def masked_value_sql(expr: str, dtype: duckdb.typing.DuckDBPyType) -> str | None:
    """`expr` with the value rule applied to every text inside it (lists, structs, maps); None when the type holds
    no text (numbers, dates, booleans: kept as they are)."""
    kind = dtype.id
    if kind == "varchar":
        return f"cast({value_rule_sql(f'cast({expr} as varchar)', strict=True)} as {dtype})"
    if kind == "list":
        inner = masked_value_sql("x", dtype.children[0][1])
        return None if inner is None else f"list_transform({expr}, x -> {inner})"
    if kind == "struct":
        parts = [(name, masked_value_sql(f"{expr}.{_q(name)}", child)) for name, child in dtype.children]
        if all(p is None for _, p in parts):
            return None
        return "struct_pack(" + ", ".join(
            f"{_q(name)} := {p if p is not None else f'{expr}.{_q(name)}'}" for name, p in parts) + ")"
    if kind == "map":
        key = masked_value_sql("e.key", dtype.children[0][1]) or "e.key"
        value = masked_value_sql("e.value", dtype.children[1][1]) or "e.value"
        if key == "e.key" and value == "e.value":
            return None
        return f"map_from_entries(list_transform(map_entries({expr}), e -> struct_pack(key := {key}, value := {value})))"
    if kind in ("blob", "bit", "union"):
        raise PublishError(f"a {dtype} column cannot be checked for personal numbers: cast it in the model")
    return None


def _pii_sql(kind: str, expr: str, dtype: duckdb.typing.DuckDBPyType) -> str:
    """A declared PII column masked whole (a list of numbers element by element); the result is text."""
    if dtype.id == "list":
        return f"list_transform({expr}, x -> {_pii_sql(kind, 'x', dtype.children[0][1])})"
    return mask_sql(kind, expr, strict=True)


def _token_sql(kind: str, expr: str, dtype: duckdb.typing.DuckDBPyType, secret: bytes) -> str:
    if dtype.id == "list":
        return f"list_transform({expr}, x -> {_token_sql(kind, 'x', dtype.children[0][1], secret)})"
    return token_sql(kind, expr, secret)


def _field_value_sql(expr: str) -> str:
    """fct_person_field_lineage.value: the value of the field named in `field`; a PII field's value is masked as its
    kind, any other value by the value rule."""
    from shequyun.analyst.masking import ledger_pii_columns

    fields = sorted(set(ledger_pii_columns()) | {"id_number", "phone", "bank_account", "mobile"})
    whens = " ".join(f"when {_literal(f)} then {mask_sql(k, expr, strict=True)}"
                     for f in fields if (k := pii_kind(f)) is not None)
    return f"(case field {whens} else {value_rule_sql(f'cast({expr} as varchar)', strict=True)} end)"


def prepare_analyst_database(source: Path, data_dir: Path, *, warehouse: Path | None = None) -> Publication:
    """Write the analyst database of `source` (a finished thematic database) beside the current one, under a private
    name; the caller commits (swaps it in) or discards it."""
    t0 = time.perf_counter()
    warehouse = warehouse or data_dir / "warehouse"
    warehouse.mkdir(parents=True, exist_ok=True)
    secret = token_secret(data_dir)
    tmp = warehouse / f".analyst-{os.getpid()}-{uuid.uuid4().hex}.duckdb"
    publication = Publication(tmp, analyst_database(warehouse))
    try:
        _write(source, tmp, secret, publication)
    except BaseException:
        publication.discard()
        raise
    publication.seconds = time.perf_counter() - t0
    return publication


def publish_analyst_database(source: Path, data_dir: Path, *, warehouse: Path | None = None) -> Publication:
    """Prepare and swap in at once (for a thematic database that is already current)."""
    publication = prepare_analyst_database(source, data_dir, warehouse=warehouse)
    publication.commit()
    return publication


def _write(source: Path, tmp: Path, secret: bytes, publication: Publication) -> None:
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    with duckdb.connect(str(tmp), config=config) as con:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {_literal(str(source))} as src (read_only)")
        schemas = ", ".join(_literal(s) for s in PUBLISHED_SCHEMAS)
        tables = con.execute(f"""
            select schema_name, table_name, sql from duckdb_tables()
            where database_name = 'src' and schema_name in ({schemas}) order by schema_name, table_name""").fetchall()
        for schema, table, ddl in tables:
            started = time.perf_counter()
            con.execute(f"create schema if not exists {_q(schema)}")
            src = f"src.{_q(schema)}.{_q(table)}"
            rel = con.sql(f"select * from {src} limit 0")
            columns = list(zip(rel.columns, rel.types, strict=True))
            names = {c for c, _ in columns}
            select: list[str] = []
            added: list[str] = []
            ddl = _without_checks(ddl)
            con.execute(ddl)
            for column, dtype in columns:
                col = _q(column)
                kind = pii_kind(column)
                where = f"{schema}.{table}.{column}"
                if kind is not None:
                    expr = _pii_sql(kind, col, dtype)
                    if dtype.id not in ("varchar", "list"):   # a number held as BIGINT: text once masked
                        con.execute(f"alter table {_q(schema)}.{_q(table)} alter {col} type varchar")
                    select.append(f"{expr} as {col}")
                    publication.masked_columns.append(f"{where} ({kind})")
                    if kind in TOKENISED_KINDS:
                        token_column = column + TOKEN_SUFFIX
                        if token_column in names:
                            raise PublishError(f"{where}: a column {token_column} already exists; rename it")
                        token_type = "varchar[]" if dtype.id == "list" else "varchar"
                        added.append(f"alter table {_q(schema)}.{_q(table)} add column {_q(token_column)} {token_type}")
                        select.append(f"{_token_sql(kind, col, dtype, secret)} as {_q(token_column)}")
                        publication.token_columns.append(f"{where}{TOKEN_SUFFIX}")
                elif column == "value" and "field" in names and dtype.id == "varchar":
                    select.append(f"{_field_value_sql(col)} as {col}")
                elif IDENTIFIER.search(column):     # P/H + hex hashes: a digit run in one is no phone number
                    select.append(col)
                else:
                    masked = masked_value_sql(col, dtype)
                    select.append(f"{masked if masked is not None else col} as {col}")
            for statement in added:
                con.execute(statement)
            con.execute(f"insert into {_q(schema)}.{_q(table)} by name select {', '.join(select)} from {src}")
            publication.rows += con.execute(f"select count(*) from {_q(schema)}.{_q(table)}").fetchone()[0]
            publication.tables += 1
            publication.table_seconds[f"{schema}.{table}"] = round(time.perf_counter() - started, 2)
        built_at = _built_at(con)
        con.execute(f"""
            create table {MARKER_SCHEMA}.{MARKER_TABLE} as select
                true as masked, now()::timestamp as published_at, {_literal(source.name)} as source_file,
                {_literal(built_at) if built_at else 'null'} as source_built_at,
                {_literal(key_id(secret))} as token_key_id,
                {_literal(', '.join(PUBLISHED_SCHEMAS))} as schemas,
                'id_number: first 3 kept; phone: 3 + 4; account: last 4; tokens: HMAC-SHA256, 16 letters a-p'
                    as masking""")
        con.execute("detach src")
        con.execute("checkpoint")


def _built_at(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select cast(max(built_at) as varchar) from marts.build_info").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _without_checks(ddl: str) -> str:
    """The source DDL as it is: the models' contracts declare NOT NULL, keys and types (no CHECK on digits)."""
    if " CHECK" in ddl.upper():
        raise PublishError(f"a CHECK constraint may not hold on masked values: {ddl[:200]}")
    return ddl


def is_analyst_database(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the open database is a masked publication (has main.analyst_publication with masked = true)."""
    found = con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                        [MARKER_SCHEMA, MARKER_TABLE]).fetchone()
    if not (found and found[0]):
        return False
    row = con.execute(f"select bool_and(masked) from {MARKER_SCHEMA}.{MARKER_TABLE}").fetchone()
    return bool(row and row[0])


def published_at(database: Path) -> dt.datetime | None:
    with duckdb.connect(str(database), read_only=True) as con:
        if not is_analyst_database(con):
            return None
        return con.execute(f"select max(published_at) from {MARKER_SCHEMA}.{MARKER_TABLE}").fetchone()[0]
