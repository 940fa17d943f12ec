"""MySQL / MariaDB reader (PyMySQL, unbuffered cursor): new rows by cursor, fetched in chunks of
`chunk_rows` into Arrow; every value rendered by the server with CAST(... AS CHAR)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pymysql
import pymysql.cursors

from connectors.base import RawBatch
from connectors.config import SourceConfig
from connectors.db_common import (
    CONNECT_TIMEOUT_SECONDS,
    check_cursor,
    make_batch,
    source_name,
    unavailable,
)
from connectors.errors import SourceError, mask_dsn

__all__ = ["MysqlReader", "connect_args"]

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
                cur.fetchall()
                check_cursor(cfg, columns)
                select = ", ".join(f"CAST({_q(c)} AS CHAR)" for c in columns)
                query = f"SELECT {select} FROM {_relation(cfg)}"
                params: tuple = ()
                if cursor_from is not None:
                    query += f" WHERE {_q(cfg.cursor)} > %s"
                    params = (cursor_from,)
                query += f" ORDER BY {_q(cfg.cursor)}"
                cur.execute(query, params)
                batches: list[pa.Table] = []
                names = [f"c{i}" for i in range(len(columns))]
                while rows := cur.fetchmany(cfg.chunk_rows):
                    cols = list(zip(*rows))
                    batches.append(pa.Table.from_arrays([_strings(c) for c in cols], names=names))
                conn.commit()
        except pymysql.err.OperationalError as exc:
            raise unavailable(cfg, dsn, exc) from exc
        finally:
            conn.close()
        data = pa.concat_tables(batches) if batches else pa.table({n: pa.array([], pa.string()) for n in names})
        return make_batch(cfg, columns, data, cursor_from)


def _strings(values: tuple) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # binary collations come back as bytes
        return pa.array([v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else v for v in values], pa.string())
