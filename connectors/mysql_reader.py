"""MySQL / MariaDB reader: new rows by cursor, every value rendered by the server with CAST(... AS CHAR).

PyMySQL connects (3 s timeout), checks the table and its columns; the rows come through connectorx
(Rust, straight into Arrow). Tables with TIMESTAMP columns (rendered in a UTC session, which connectorx
cannot set), or a connectorx failure, are read with PyMySQL's unbuffered cursor in chunks of `chunk_rows`."""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pymysql
import pymysql.cursors
from pymysql.constants import FIELD_TYPE

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

__all__ = ["MysqlReader", "connect_args"]

log = logging.getLogger(__name__)

_ER_NO_SUCH_TABLE = 1146


def connect_args(dsn: str) -> dict:
    url = urlsplit(dsn)
    return {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 3306,
        "user": unquote(url.username) if url.username else "root",
        "password": unquote(url.password) if url.password else "",
        "database": url.path.lstrip("/") or None,
        "charset": "utf8mb4",
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        # the server greeting is read with read_timeout: keep it short while connecting (see _connect)
        "read_timeout": CONNECT_TIMEOUT_SECONDS,
    }


QUERY_READ_TIMEOUT_SECONDS = 3600


def _connect(dsn: str) -> pymysql.connections.Connection:
    conn = pymysql.connect(**connect_args(dsn), cursorclass=pymysql.cursors.SSCursor)
    # PyMySQL has no public setter: lengthen the read timeout once connected (a big ORDER BY may take long)
    conn._read_timeout = QUERY_READ_TIMEOUT_SECONDS
    return conn


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _relation(cfg: SourceConfig) -> str:
    if cfg.query:
        return f"({cfg.query}) AS src"
    return ".".join(_q(p) for p in (cfg.table or "").split("."))


class MysqlReader:
    kind = "table"

    def read_table(self, cfg: SourceConfig, *, cursor_from: str | None) -> RawBatch:
        dsn = cfg.dsn()
        try:
            conn = _connect(dsn)
        except pymysql.err.OperationalError as exc:
            raise unavailable(cfg, dsn, exc) from exc
        try:
            with conn.cursor() as cur:
                cur.execute("SET time_zone = '+00:00'")  # TIMESTAMP columns rendered the same everywhere
                cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
                try:
                    cur.execute(f"SELECT * FROM {_relation(cfg)} LIMIT 0")
                except pymysql.err.ProgrammingError as exc:
                    if exc.args and exc.args[0] == _ER_NO_SUCH_TABLE:
                        raise SourceError(
                            cfg.system, source_name(cfg), f"table not found in {mask_dsn(dsn)}: {exc.args[1]}"
                        ) from exc
                    raise SourceError(cfg.system, source_name(cfg), f"cannot query: {exc}") from exc
                columns = [d[0] for d in cur.description or []]
                has_timestamp = any(d[1] == FIELD_TYPE.TIMESTAMP for d in cur.description or [])
                cur.fetchall()
                check_cursor(cfg, columns)
                names = [f"c{i}" for i in range(len(columns))]
                select = ", ".join(f"CAST({_q(c)} AS CHAR) AS {n}" for c, n in zip(columns, names))
                query = f"SELECT {select} FROM {_relation(cfg)}"
                if cursor_from is not None:
                    query += f" WHERE {_q(cfg.cursor)} > {conn.escape(cursor_from)}"
                query += f" ORDER BY {_q(cfg.cursor)}"
                data = None
                if not has_timestamp:
                    # connectorx (Rust) is ~10x faster than PyMySQL's row tuples; TIMESTAMP columns need
                    # the UTC session set above, which connectorx cannot set, so they stay on PyMySQL
                    data = _read_connectorx(dsn, query, names)
                if data is None:
                    cur.execute(query)
                    batches: list[pa.Table] = []
                    while rows := cur.fetchmany(cfg.chunk_rows or 50_000):
                        cols = list(zip(*rows))
                        batches.append(pa.Table.from_arrays([_strings(c) for c in cols], names=names))
                    data = pa.concat_tables(batches) if batches else None
                behind = None
                if cursor_from is not None:
                    cur.execute(f"SELECT count(*) FROM {_relation(cfg)} WHERE {_q(cfg.cursor)} <= "
                                f"{conn.escape(cursor_from)} OR {_q(cfg.cursor)} IS NULL")
                    behind = int(cur.fetchall()[0][0])   # fetchall: an unbuffered cursor must be read to its end
                conn.commit()
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:   # connected, then the connection broke
            raise connection_lost(cfg, dsn, exc) from exc
        finally:
            conn.close()
        if data is None:
            data = pa.table({n: pa.array([], pa.string()) for n in names})
        batch = make_batch(cfg, columns, data, cursor_from)
        batch.rows_behind = behind
        return batch


def _read_connectorx(dsn: str, query: str, names: list[str]) -> pa.Table | None:
    """The query's result through connectorx, or None (then PyMySQL reads it) if connectorx fails."""
    try:
        import connectorx as cx

        table = cx.read_sql(dsn, query, return_type="arrow")
        if not isinstance(table, pa.Table):
            table = pa.table(table)
        return pa.Table.from_arrays([_as_strings(c) for c in table.columns], names=names)
    except Exception as exc:  # noqa: BLE001 - the PyMySQL path is always there
        log.warning("connectorx could not read %s (%s); reading with PyMySQL", mask_dsn(dsn), exc)
        return None


def _as_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return pa.chunked_array([_strings(tuple(column.to_pylist()))])
    return column.cast(pa.string())


def _strings(values: tuple) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # binary collations come back as bytes
        return pa.array([v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else v for v in values], pa.string())
