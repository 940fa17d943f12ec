"""Load the generated database systems (db/<system>.parquet) into PostgreSQL and MariaDB.

    load_databases(out, pg_dsn(), mysql_dsn())  ->  {"ps_shiyou_renkou": rows, "mz_lnzhjt": rows}

Tables are dropped and re-created with proper SQL types (DATE, TIMESTAMP/DATETIME cursor
columns, VARCHAR codes) and bulk-loaded: COPY ... FROM STDIN (csv) for PostgreSQL,
LOAD DATA LOCAL INFILE for MariaDB (multi-row INSERT batches when the server refuses local files).
Which tables: those of the city's generator profile (manifest.json "profile"; none = the default
profile's two systems, a frozen2 city its own: shequyun_synth.profiles.frozen2.generate.database_tables).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import polars as pl

from shequyun_synth.extracts.spec import load_specs

PG_SYSTEM = "ps_population"
MYSQL_SYSTEM = "ca_elderly_allowance"

# column -> SQL type; order = the YAML's column order
PG_TYPES: dict[str, str] = {
    "rkbh": "VARCHAR(20) PRIMARY KEY", "xm": "VARCHAR(100)", "xb": "VARCHAR(1)", "mz": "VARCHAR(2)", "csrq": "DATE",
    "gmsfhm": "VARCHAR(40)", "rylb": "VARCHAR(1)", "jzdz": "VARCHAR(255)", "hjdz": "VARCHAR(255)", "hjdxzqh": "VARCHAR(12)",
    "lhrq": "DATE", "jzzbh": "VARCHAR(40)", "lxdh": "VARCHAR(40)", "zxbs": "VARCHAR(1)", "djsj": "TIMESTAMP NOT NULL",
}
MYSQL_TYPES: dict[str, str] = {
    "id": "BIGINT NOT NULL PRIMARY KEY", "sqrxm": "VARCHAR(100)", "sqrsfzh": "VARCHAR(40)", "xb": "VARCHAR(2)",
    "csrq": "DATE", "jtdc": "VARCHAR(10)", "jtje": "INT", "ffkssj": "DATE", "jzdz": "VARCHAR(255)", "lxdh": "VARCHAR(40)",
    "zt": "VARCHAR(10)", "gxsj": "DATETIME NOT NULL",
}
_DT = "%Y-%m-%d %H:%M:%S"


class DatabaseUnavailable(RuntimeError):
    """A database server did not answer."""


@dataclass(frozen=True)
class DbTable:
    """One database system of a generated city: db/<system>.parquet loaded into `table`."""

    system: str
    engine: str                 # postgres | mysql
    table: str
    types: dict[str, str]       # column -> SQL type, in the table's column order
    cursor: str                 # the incremental cursor column (indexed)
    comment: str


def _where(dsn: str) -> str:
    u = urlparse(dsn)
    return f"{u.hostname or 'localhost'}:{u.port or ''}".rstrip(":")


def _frame(out: Path, system: str) -> pl.DataFrame:
    path = Path(out) / "db" / f"{system}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: generate the city first")
    return pl.read_parquet(path)


def _pg_connect(dsn: str):
    import psycopg

    try:
        return psycopg.connect(dsn, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"PostgreSQL server at {_where(dsn)} does not answer: {exc}".strip()) from exc


def _default_tables() -> tuple[DbTable, DbTable]:
    """The default profile's database systems, their tables named by connectors/sources."""
    pg, my = load_specs()[PG_SYSTEM], load_specs()[MYSQL_SYSTEM]
    return (DbTable(PG_SYSTEM, "postgres", pg.table or "ps_shiyou_renkou", PG_TYPES, "djsj", "实有人口信息系统 (synthetic)"),
            DbTable(MYSQL_SYSTEM, "mysql", my.table or "mz_lnzhjt", MYSQL_TYPES, "gxsj", "老年综合津贴发放 (synthetic)"))


def load_postgres(out: Path, dsn: str, table: str | None = None) -> tuple[str, int]:
    return load_postgres_table(out, dsn, _default_tables()[0], table)


def load_postgres_table(out: Path, dsn: str, spec: DbTable, table: str | None = None) -> tuple[str, int]:
    """Drop, create (spec.types), COPY the rows of db/<system>.parquet, index the cursor; (table, rows)."""
    table = table or spec.table
    df = _frame(out, spec.system).select(list(spec.types))
    conn = _pg_connect(dsn)
    cols = ", ".join(f"{c} {t}" for c, t in spec.types.items())
    data = df.write_csv(include_header=False, datetime_format="%Y-%m-%d %H:%M:%S%.6f", date_format="%Y-%m-%d")
    with conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} ({cols})")
        cur.execute(f"COMMENT ON TABLE {table} IS '{spec.comment}'")
        with cur.copy(f"COPY {table} ({', '.join(spec.types)}) FROM STDIN WITH (FORMAT csv)") as copy:
            raw = data.encode("utf-8")
            step = 8 << 20
            for i in range(0, len(raw), step):
                copy.write(raw[i:i + step])
        cur.execute(f"CREATE INDEX {table}_{spec.cursor}_idx ON {table} ({spec.cursor})")
        cur.execute(f"SELECT count(*) FROM {table}")
        rows = cur.fetchone()[0]  # type: ignore[index]
    conn.close()
    return table, int(rows)


def _mysql_connect(dsn: str, **extra: object):
    import pymysql

    u = urlparse(dsn)
    try:
        return pymysql.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=unquote(u.username or "root"),
                               password=unquote(u.password or ""), database=(u.path or "/test").lstrip("/") or "test",
                               charset="utf8mb4", connect_timeout=5, **extra)
    except pymysql.err.OperationalError as exc:
        raise DatabaseUnavailable(f"MariaDB/MySQL server at {_where(dsn)} does not answer: {exc}") from exc


def load_mysql(out: Path, dsn: str, table: str | None = None) -> tuple[str, int]:
    return load_mysql_table(out, dsn, _default_tables()[1], table)


def load_mysql_table(out: Path, dsn: str, spec: DbTable, table: str | None = None) -> tuple[str, int]:
    """Drop, create (spec.types, the cursor indexed), LOAD DATA (or INSERT batches); (table, rows)."""
    import pymysql

    table = table or spec.table
    df = _frame(out, spec.system).select(list(spec.types))
    conn = _mysql_connect(dsn, local_infile=True)
    cols = ", ".join(f"`{c}` {t}" for c, t in spec.types.items())
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS `{table}`")
            cur.execute(f"CREATE TABLE `{table}` ({cols}, KEY `{table}_{spec.cursor}` (`{spec.cursor}`)) "
                        f"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='{spec.comment}'")
            try:
                _load_data_infile(cur, table, df)
            except pymysql.err.OperationalError:
                conn.rollback()
                cur.execute(f"TRUNCATE TABLE `{table}`")
                _insert_batches(cur, table, df)
            conn.commit()
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            rows = cur.fetchone()[0]  # type: ignore[index]
    finally:
        conn.close()
    return table, int(rows)


def _load_data_infile(cur, table: str, df: pl.DataFrame) -> None:
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as tmp:
        # no escape character (values are taken literally); an unquoted NULL is SQL NULL
        tmp.write(df.write_csv(include_header=False, null_value="NULL", datetime_format=_DT,
                               date_format="%Y-%m-%d").encode("utf-8"))
        name = tmp.name
    try:
        cur.execute(
            f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '\\n' "
            f"({', '.join(f'`{c}`' for c in df.columns)})", (name,))
    finally:
        os.unlink(name)


def _insert_batches(cur, table: str, df: pl.DataFrame, batch: int = 5000) -> None:
    sql = (f"INSERT INTO `{table}` ({', '.join(f'`{c}`' for c in df.columns)}) "
           f"VALUES ({', '.join(['%s'] * len(df.columns))})")
    for chunk in df.iter_slices(batch):
        cur.executemany(sql, chunk.rows())


def database_tables(out: Path) -> list[DbTable]:
    """The database systems of the city in `out`, by the generator profile its manifest.json names."""
    manifest = Path(out) / "manifest.json"
    profile = json.loads(manifest.read_text(encoding="utf-8")).get("profile", "default") if manifest.exists() else "default"
    if profile == "frozen2":
        from shequyun_synth.profiles.frozen2 import generate as frozen2

        return frozen2.database_tables()
    return list(_default_tables())


def load_databases(out: Path, pg_dsn: str, mysql_dsn: str, tables: dict[str, str] | None = None) -> dict[str, int]:
    """Re-create and bulk-load the city's database systems (database_tables); returns {table name: rows}.

    `tables` overrides table names by system (`{"ps_population": "...", "ca_elderly_allowance": "..."}`).
    Raises DatabaseUnavailable naming the server that does not answer.
    """
    tables = tables or {}
    # both servers must answer before anything is dropped or loaded
    _pg_connect(pg_dsn).close()
    _mysql_connect(mysql_dsn).close()
    counts: dict[str, int] = {}
    for spec in database_tables(Path(out)):
        if spec.engine == "postgres":
            name, rows = load_postgres_table(Path(out), pg_dsn, spec, tables.get(spec.system))
        else:
            name, rows = load_mysql_table(Path(out), mysql_dsn, spec, tables.get(spec.system))
        counts[name] = rows
    return counts


__all__ = ["MYSQL_TYPES", "PG_TYPES", "DatabaseUnavailable", "DbTable", "database_tables", "load_databases", "load_mysql",
           "load_mysql_table", "load_postgres", "load_postgres_table"]
