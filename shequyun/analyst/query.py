"""`shequyun query`: one read-only SQL statement against the analyst database.

The analyst database (shequyun.analyst.publish) holds no ID or phone number: that is the protection. The walls
below keep the statement a read of that one file:

1. DuckDB's own parser, on the sandboxed connection, classifies the text (`extract_statements`): only a single
   SELECT (which covers `show`, `describe`, `summarize`, `from t`, `values`) or EXPLAIN of one is run. A PRAGMA
   (the tokenizer's first keyword; DuckDB rewrites `pragma database_list` into a SELECT), INSERT, UPDATE, DELETE,
   CREATE, DROP, COPY, EXPORT, IMPORT, ATTACH, DETACH, INSTALL/LOAD, SET, RESET, USE, CALL, PREPARE/EXECUTE,
   VACUUM, transactions and several statements are refused, the statement type named.
2. The statement's syntax tree (`json_serialize_sql`) is walked: every table it reads must be a table or view of
   the database or a CTE of the statement (a quoted file name `from '/etc/passwd'` is not), and a table function
   must be one of ALLOWED_TABLE_FUNCTIONS (no read_csv / read_parquet / read_json / read_text / glob / query /
   pragma_* ...).
3. The connection is read-only, external access is off and the configuration locked
   (shequyun.analyst.database.connect_read_only): even a statement that slipped through cannot read or write a
   file, attach a database, load an extension or change a setting.

ID and phone numbers in the result are also masked on output unless asked otherwise (shequyun.analyst.masking):
a second guard, which matters when the data-bureau role reads the raw thematic database.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from shequyun.analyst.database import connect_read_only
from shequyun.analyst.masking import masked_relation

ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
# table functions a query may call; every other (read_csv, read_parquet, read_json, read_text, read_blob, glob,
# query, query_table, pragma_*, duckdb_databases, parquet_metadata, delta_scan ...) is refused by the syntax check
ALLOWED_TABLE_FUNCTIONS = frozenset({
    "unnest", "range", "generate_series", "duckdb_tables", "duckdb_columns", "duckdb_views", "duckdb_schemas",
    "duckdb_types", "duckdb_constraints", "duckdb_indexes", "duckdb_functions", "duckdb_keywords",
})
REFUSAL_HELP = ("`shequyun query` is read-only and runs only SELECT (also show / describe / summarize / from / values) "
                "and EXPLAIN; writes, COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, PRAGMA and CALL are refused")


class QueryRefused(ValueError):
    """A statement `shequyun query` will not run; the message says which and why."""


@dataclass
class QueryResult:
    columns: list[str]
    frame: pl.DataFrame
    truncated: bool                 # more rows than the limit
    masked_columns: list[str] = field(default_factory=list)  # masked by name (values are masked in the others)
    masked: bool = True


def _sandbox() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"enable_external_access": False, "lock_configuration": True,
                                  "autoinstall_known_extensions": False, "autoload_known_extensions": False})


def _first_keyword(sql: str) -> str:
    tokens = duckdb.tokenize(sql)
    if not tokens:
        return ""
    start = tokens[0][0]
    end = tokens[1][0] if len(tokens) > 1 else len(sql)
    return sql[start:end].strip().lower()


def check_read_only(sql: str, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.Statement:
    """The one statement of `sql` when it is a read; QueryRefused otherwise (DuckDB's parser decides). `con`: the
    connection that will run it (its parser runs without file access); a sandboxed in-memory one when None."""
    own = con is None
    con = con or _sandbox()
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryRefused(f"the SQL does not parse: {exc}") from None
        if not statements:
            raise QueryRefused("no SQL statement given")
        if len(statements) > 1:
            kinds = ", ".join(s.type.name for s in statements)
            raise QueryRefused(f"one statement at a time: got {len(statements)} ({kinds})")
        statement = statements[0]
        if _first_keyword(sql) == "pragma":   # DuckDB rewrites most PRAGMAs into a SELECT
            raise QueryRefused(f"refused: PRAGMA statement. {REFUSAL_HELP}")
        if statement.type not in ALLOWED:
            raise QueryRefused(f"refused: {statement.type.name} statement. {REFUSAL_HELP}")
        check_references(con, _explained(con, statement) if statement.type == duckdb.StatementType.EXPLAIN
                         else statement.query)
        return statement
    finally:
        if own:
            con.close()


def _explained(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> str:
    """The statement an EXPLAIN [ANALYZE] explains, checked like any other."""
    text = statement.query
    tokens = duckdb.tokenize(text)
    skip = 2 if len(tokens) > 2 and text[tokens[1][0]:tokens[2][0]].strip().lower() == "analyze" else 1
    inner = text[tokens[skip][0]:] if len(tokens) > skip else ""
    inner_statements = con.extract_statements(inner) if inner.strip() else []
    if len(inner_statements) != 1 or inner_statements[0].type != duckdb.StatementType.SELECT:
        raise QueryRefused(f"refused: EXPLAIN of something else than one SELECT. {REFUSAL_HELP}")
    return inner_statements[0].query


def check_references(con: duckdb.DuckDBPyConnection, select: str) -> None:
    """QueryRefused when the SELECT's syntax tree reads anything besides the database's tables and views, its own
    CTEs and the allowed table functions."""
    tree_text = con.execute("select json_serialize_sql(?)", [select]).fetchone()[0]
    tree = json.loads(tree_text)
    if tree.get("error"):
        raise QueryRefused(f"refused: the statement cannot be checked ({tree.get('error_message')}). {REFUSAL_HELP}")
    nodes = list(_nodes(tree))
    ctes = {entry["key"].lower() for node in nodes if isinstance(node.get("cte_map"), dict)
            for entry in node["cte_map"].get("map", [])}
    relations = {(str(s).lower(), str(n).lower()) for s, n in con.execute(
        "select schema_name, table_name from duckdb_tables() union all "
        "select schema_name, view_name from duckdb_views()").fetchall()}
    names = {n for _, n in relations}
    for node in nodes:
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            function = node.get("function") or {}
            name = str(function.get("function_name", "")).lower()
            if name not in ALLOWED_TABLE_FUNCTIONS or function.get("schema") or function.get("catalog"):
                raise QueryRefused(f"refused: table function {name}(): queries read the database's tables only "
                                   f"(allowed: {', '.join(sorted(ALLOWED_TABLE_FUNCTIONS))})")
        elif kind == "BASE_TABLE":
            schema = str(node.get("schema_name") or "").lower()
            table = str(node.get("table_name") or "").lower()
            shown = f"{schema}.{table}" if schema else table
            if table.startswith("pragma_"):
                raise QueryRefused(f"refused: {shown} is a PRAGMA. {REFUSAL_HELP}")
            if node.get("catalog_name") and str(node["catalog_name"]).lower() not in {"system", _database_name(con)}:
                raise QueryRefused(f"refused: {node['catalog_name']}.{shown}: only this database is read")
            known = (schema, table) in relations if schema else (table in ctes or table in names)
            if not known:
                raise QueryRefused(f"refused: {shown!r} is not a table or view of the database "
                                   "(files and other databases are not read)")


def _database_name(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("select current_database()").fetchone()[0]).lower()


def _nodes(value: object):
    """Every dict of the syntax tree, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def run_query(db: Path, sql: str, *, limit: int | None = 1000, unmasked: bool = False) -> QueryResult:
    """Run one read statement; at most `limit` rows (None: all). Refusals raise QueryRefused, SQL errors duckdb.Error."""
    with connect_read_only(db, sandbox=True) as con:
        statement = check_read_only(sql, con)
        rel = con.sql(statement.query)
        masked_columns: list[str] = []
        if rel is None:  # pragma: no cover - a SELECT always yields a relation
            raise QueryRefused("the statement returned no result")
        duplicates = sorted({c for c in rel.columns if rel.columns.count(c) > 1})
        if duplicates:
            raise QueryRefused(f"the result has two columns named {', '.join(duplicates)}: give them distinct aliases "
                               "(select a.code as a_code, b.code as b_code ...)")
        if not unmasked and statement.type != duckdb.StatementType.EXPLAIN:
            rel, masked_columns = masked_relation(rel)
        columns = list(rel.columns)
        reader = rel.fetch_arrow_reader(batch_size=min(limit + 1, 100_000) if limit else 100_000)
        batches: list[pa.RecordBatch] = []
        rows = 0
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if limit is not None and rows > limit:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    truncated = limit is not None and table.num_rows > limit
    if truncated:
        table = table.slice(0, limit)
    frame = pl.from_arrow(table, rechunk=True)
    assert isinstance(frame, pl.DataFrame)
    return QueryResult(columns, frame, truncated, masked_columns, not unmasked)


def plain(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def rows_of(result: QueryResult) -> list[dict[str, object]]:
    """The result as JSON-ready dicts (dates ISO, decimals as text)."""
    return [{k: plain(v) for k, v in row.items()} for row in result.frame.iter_rows(named=True)]


def render_table(frame: pl.DataFrame) -> str:
    """An aligned text table (polars measures CJK characters as two columns)."""
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=1000, fmt_table_cell_list_len=50,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   tbl_formatting="ASCII_MARKDOWN", tbl_width_chars=65_000):
        return str(frame.with_columns(pl.col(pl.String).fill_null("")))


def render(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows_of(result), ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.frame.iter_rows():
            writer.writerow(["" if v is None else json.dumps(plain(v), ensure_ascii=False) if isinstance(v, (list, dict))
                             else plain(v) for v in row])
        return out.getvalue().rstrip("\n")
    return render_table(result.frame)
