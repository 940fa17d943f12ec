"""`shequyun query`: one read-only SQL statement against the thematic database.

Three walls, so that no statement can change the database or the file system:

1. DuckDB's own parser (`duckdb.extract_statements`) classifies the text; only a single SELECT (which covers
   `show`, `describe`, `summarize`, `from t`, `values`, table-valued `pragma`s) or EXPLAIN is run. Anything else -
   INSERT, UPDATE, DELETE, CREATE, DROP, COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, PRAGMA, CALL, transactions,
   several statements - is refused before it reaches the database, with its statement type named.
2. The connection is read-only: the file cannot be written even if a statement slipped through.
3. External access is off and the configuration locked (shequyun.analyst.database.connect_read_only): no
   read_csv('/etc/passwd'), no COPY TO a file, no ATTACH, no extension loading.

ID and phone numbers in the result are masked unless asked otherwise (shequyun.analyst.masking).
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


class QueryRefused(ValueError):
    """A statement `shequyun query` will not run; the message says which and why."""


@dataclass
class QueryResult:
    columns: list[str]
    frame: pl.DataFrame
    truncated: bool                 # more rows than the limit
    masked_columns: list[str] = field(default_factory=list)  # masked by name (values are masked in the others)
    masked: bool = True


def check_read_only(sql: str) -> duckdb.Statement:
    """The one statement of `sql` when it is a read; QueryRefused otherwise (DuckDB's parser decides)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"the SQL does not parse: {exc}") from None
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        kinds = ", ".join(s.type.name for s in statements)
        raise QueryRefused(f"one statement at a time: got {len(statements)} ({kinds})")
    statement = statements[0]
    if statement.type not in ALLOWED:
        raise QueryRefused(
            f"refused: {statement.type.name} statement. `shequyun query` is read-only and runs only SELECT "
            "(also show / describe / summarize / from / values) and EXPLAIN; "
            "writes, COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, PRAGMA and CALL are refused")
    return statement


def run_query(db: Path, sql: str, *, limit: int | None = 1000, unmasked: bool = False) -> QueryResult:
    """Run one read statement; at most `limit` rows (None: all). Refusals raise QueryRefused, SQL errors duckdb.Error."""
    statement = check_read_only(sql)
    with connect_read_only(db, sandbox=True) as con:
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
