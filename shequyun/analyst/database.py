"""Which thematic database an analyst command reads, and how it is opened.

Every analyst command reads the *current* database (`<data dir>/warehouse/shequyun.duckdb`, swapped in
atomically by each build, see shequyun.core.warehouse) or the file given with --database, always read-only: an
analyst never takes the write lock a build or another reader might need.
"""

from __future__ import annotations

from pathlib import Path

import click
import duckdb


def connect_read_only(db: Path, *, sandbox: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection. `sandbox` also turns off every file access besides the database itself (no
    read_csv('/etc/...'), no COPY TO, no ATTACH) and extension loading, and locks the configuration so a
    statement cannot turn them back on: what `shequyun query` runs arbitrary SQL on."""
    config: dict[str, str | bool] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if sandbox:
        config |= {"enable_external_access": False, "lock_configuration": True}
    try:
        return duckdb.connect(str(db), read_only=True, config=config)
    except duckdb.Error as exc:
        raise click.ClickException(f"cannot open {db} read-only: {exc}") from exc


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    return bool(row and row[0])
