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


ROLE_HELP = ("The role you act in (exports/config/export.yaml roles). Only a role allowed to see full numbers "
             "(data_bureau_auditor) reads the raw thematic database (the default then) or gets --unmasked; "
             "everyone else reads the masked analyst database.")


def reading_database(paths, role: str | None, unmasked: bool = False) -> Path:
    """The file an analyst command opens, checked against the role (exports/config/export.yaml, the same check as
    `shequyun export --role ... --unmasked`):

    * without a role allowed to see full numbers: `--database` or `<warehouse>/analyst.duckdb`, and the file must be
      a masked publication (shequyun.analyst.publish); --unmasked is refused;
    * with such a role (given explicitly): `--database` or the raw thematic database `<warehouse>/shequyun.duckdb`.
    """
    from exports.config import ExportConfigError, UnmaskedNotAllowed, load_export_config
    from shequyun.analyst.publish import analyst_database, is_analyst_database

    try:
        config = load_export_config()
        config.authorise(False, role)          # an unknown role is an error even when it asks for nothing
        raw_allowed = role is not None and config.roles[role].unmasked
        if unmasked:
            config.authorise(True, role)
    except (UnmaskedNotAllowed, ExportConfigError) as exc:
        raise click.UsageError(str(exc).replace("an unmasked export", "--unmasked")) from exc
    if raw_allowed:
        db = paths.database          # --database, else the current thematic database
        if not db.exists():
            raise click.ClickException(f"no thematic database at {db}: run `shequyun run` (or `make demo`) first")
        return db
    db = paths.database_override or analyst_database(paths.warehouse)
    if not db.exists():
        raise click.ClickException(f"no analyst database at {db}: each build publishes it "
                                   "(`shequyun run` or `make demo`)")
    with connect_read_only(db) as con:
        masked = is_analyst_database(con)
    if not masked:
        raise click.UsageError(f"{db} is not a masked analyst database (the raw thematic database, or a copy of it): "
                               "only a role allowed to see full numbers reads it (--role data_bureau_auditor); "
                               "analysts read <data dir>/warehouse/analyst.duckdb, the default")
    return db
