"""PostgreSQL reader (psycopg 3): new rows by cursor, streamed with COPY ... TO STDOUT (FORMAT csv) and
parsed by Arrow; every value rendered by PostgreSQL as text (ISO dates and timestamps)."""

from __future__ import annotations

import io

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from connectors.base import RawBatch
from connectors.config import SourceConfig
from connectors.db_common import (
    CONNECT_TIMEOUT_SECONDS,
    check_cursor,
    connection_lost,
    make_batch,
    source_name,
    unavailable,
)
from connectors.errors import SourceError, mask_dsn

__all__ = ["PostgresReader"]


def _relation(cfg: SourceConfig) -> sql.Composable:
    if cfg.query:
        return sql.SQL("({}) AS src").format(sql.SQL(cfg.query))
    parts = cfg.table.split(".") if cfg.table else []
    return sql.Identifier(*parts)


class PostgresReader:
    kind = "table"

    def read_table(self, cfg: SourceConfig, *, cursor_from: str | None) -> RawBatch:
        dsn = cfg.dsn()
        try:
            conn = psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=False)
        except psycopg.OperationalError as exc:
            raise unavailable(cfg, dsn, exc) from exc
        try:
            with conn:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                conn.execute("SET LOCAL DateStyle TO ISO, YMD")
                conn.execute("SET LOCAL IntervalStyle TO iso_8601")
                conn.execute("SET LOCAL TimeZone TO 'UTC'")  # timestamptz rendered the same on every machine
                try:
                    cur = conn.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(_relation(cfg)))
                except psycopg.errors.UndefinedTable as exc:
                    raise SourceError(
                        cfg.system, source_name(cfg), f"table not found in {mask_dsn(dsn)}: {str(exc).splitlines()[0]}"
                    ) from exc
                except psycopg.Error as exc:
                    raise SourceError(cfg.system, source_name(cfg), f"cannot query: {str(exc).splitlines()[0]}") from exc
                columns = [d.name for d in cur.description or []]
                check_cursor(cfg, columns)
                select = sql.SQL(", ").join(
                    sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns
                )
                where = (
                    sql.SQL("WHERE {} > {}").format(sql.Identifier(cfg.cursor), sql.Literal(cursor_from))
                    if cursor_from is not None else sql.SQL("")
                )
                query = sql.SQL(
                    "COPY (SELECT {} FROM {} {} ORDER BY {} NULLS FIRST) TO STDOUT (FORMAT csv, ENCODING 'UTF8')"
                ).format(select, _relation(cfg), where, sql.Identifier(cfg.cursor))
                buffer = io.BytesIO()
                with conn.cursor() as cur2, cur2.copy(query) as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                behind = None
                if cursor_from is not None:
                    behind = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE {} <= {} OR {} IS NULL").format(
                        _relation(cfg), sql.Identifier(cfg.cursor), sql.Literal(cursor_from),
                        sql.Identifier(cfg.cursor))).fetchone()[0]
        except psycopg.OperationalError as exc:     # connected, then the connection broke (server stopped mid-read)
            raise connection_lost(cfg, dsn, exc) from exc
        finally:
            conn.close()
        batch = make_batch(cfg, columns, _parse_copy(buffer.getvalue(), len(columns)), cursor_from)
        batch.rows_behind = behind
        return batch


def _parse_copy(data: bytes, width: int) -> pa.Table:
    names = [f"c{i}" for i in range(width)]
    if not data:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
        ),
    )
