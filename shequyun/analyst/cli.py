"""Analyst commands (`shequyun tags`, `person`, `query`, `extract`, `docs`), registered by shequyun.cli.

`person`, `query` and `extract` read the analyst database read-only: `<data dir>/warehouse/analyst.duckdb`, published
by each build with every ID and phone number already masked or tokenised (shequyun.analyst.publish). The raw thematic
database is read only with `--role` naming a role allowed to see full numbers (exports/config/export.yaml, the check
`shequyun export --unmasked` makes); --unmasked needs that role too and prints a warning to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shequyun.analyst.database import ROLE_HELP, reading_database
from shequyun.core.options import with_paths
from shequyun.core.settings import Paths

ANALYST_DATABASE_HELP = ("Database to read. Default: <data dir>/warehouse/analyst.duckdb (masked; the raw "
                         "<data dir>/warehouse/shequyun.duckdb with --role data_bureau_auditor).")
ROLE_OPTION = click.option("--role", default=None, metavar="ROLE", help=ROLE_HELP)

UNMASKED_OPTION = click.option(
    "--unmasked", is_flag=True, default=False,
    help="Show ID and phone numbers in full: only with --role naming a role allowed to (PIPL; a warning is printed).")

UNMASKED_WARNING = ("WARNING: --unmasked: ID and phone numbers are shown in full. They are personal data (PIPL): "
                    "do not paste, share or keep this output.")


def _warn_unmasked(unmasked: bool) -> None:
    if unmasked:
        click.echo(UNMASKED_WARNING, err=True)


@click.group("tags")
def tags_group() -> None:
    """The tag catalogue (标签目录)."""


@tags_group.command("list")
@with_paths(database=True)
@click.option("--level", type=click.Choice(["city", "district", "street", "committee"]), default=None,
              help="Only tags owned at this level.")
@click.option("--area", default=None, metavar="CODE",
              help="Only tags that can apply in this area (6/9/12-digit code): owned by it, above it or inside it.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def tags_list(paths: Paths, level: str | None, area: str | None, as_json: bool) -> None:
    """List the tags: code, name, level, owning area, rule, validity and persons tagged in the current database."""
    from shequyun.analyst.tags import render_tags, tag_rows
    from shequyun.tags.catalogue import CatalogueError
    from shequyun.tags.rules import RuleError

    if area is not None and not (area.isdigit() and len(area) in (6, 9, 12)):
        raise click.BadParameter(f"{area!r} is not a 6/9/12-digit area code", param_hint="--area")
    db = paths.database
    try:
        rows = tag_rows(db if db.exists() else None, level=level, area=area)
    except (CatalogueError, RuleError) as exc:
        raise click.ClickException(f"the tag catalogue does not validate: {exc}") from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("no tags match")
        return
    click.echo(render_tags(rows, with_counts=db.exists()))
    click.echo(f"{len(rows)} tags" + ("" if db.exists() else f" (no database at {db}: persons not counted)"))


@click.group("person")
def person_group() -> None:
    """One person of the thematic database."""


@person_group.command("show")
@click.argument("key_or_id")
@with_paths(database=True, database_help=ANALYST_DATABASE_HELP)
@click.option("--visits", type=click.IntRange(min=0), default=5, show_default=True, help="Latest visits shown.")
@ROLE_OPTION
@UNMASKED_OPTION
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def person_show(key_or_id: str, paths: Paths, visits: int, role: str | None, unmasked: bool,
                as_json: bool) -> None:
    """Show a person by person_key or ID number (18 characters, or an old 15-digit one): the golden record, where
    each value came from, tags with provenance, houses (户籍/实住/产权) and the latest visits."""
    from shequyun.analyst.person import (
        PersonLookupError,
        person_report,
        render_person_report,
    )

    db = reading_database(paths, role, unmasked)
    _warn_unmasked(unmasked)
    try:
        report = person_report(db, key_or_id, visits=visits, unmasked=unmasked, data_dir=paths.root)
    except PersonLookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if as_json else render_person_report(report))


@click.command("query")
@click.argument("sql", required=False)
@click.option("--file", "sql_file", type=click.File("r", encoding="utf-8"), default=None,
              help="Read the SQL from this file ('-' = stdin) instead of the argument.")
@with_paths(database=True, database_help=ANALYST_DATABASE_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output: an aligned table, CSV (lists as JSON) or a JSON array of objects.")
@click.option("--limit", type=click.IntRange(min=0), default=1000, show_default=True,
              help="At most this many rows (0: all).")
@ROLE_OPTION
@UNMASKED_OPTION
def query(sql: str | None, sql_file, paths: Paths, fmt: str, limit: int, role: str | None,
          unmasked: bool) -> None:
    """Run one read-only SQL statement (SELECT, show, describe, summarize, EXPLAIN) on the analyst database, in
    which ID and phone numbers are masked, with `<column>_token` columns (keyed tokens) to join on.

    Writes and anything that could touch files (INSERT, UPDATE, DELETE, CREATE, DROP, COPY, EXPORT, ATTACH,
    INSTALL, LOAD, SET, PRAGMA, CALL, file-reading table functions, several statements) are refused.
    SQL that starts with a `--` comment: put `--` before it (shequyun query -- "-- ...") or use --file.
    """
    import duckdb

    from shequyun.analyst.query import QueryRefused, render, run_query

    if (sql is None) == (sql_file is None):
        raise click.UsageError("give the SQL either as the argument or with --file (not both)")
    sql = sql if sql is not None else sql_file.read()
    db = reading_database(paths, role, unmasked)
    _warn_unmasked(unmasked)
    try:
        result = run_query(db, sql, limit=limit or None, unmasked=unmasked)
    except QueryRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except duckdb.Error as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
    click.echo(render(result, fmt))
    if fmt == "table":
        shown = result.frame.height
        click.echo(f"{shown} row{'' if shown == 1 else 's'}" + (f" (limit {limit} reached: --limit 0 for all)" if result.truncated else ""),
                   err=True)
    elif result.truncated:
        click.echo(f"limit {limit} reached: --limit 0 for all rows", err=True)


@click.command("extract")
@click.option("--street", "street_code", required=True, metavar="CODE", help="9-digit 街镇代码, e.g. 310104010.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="DuckDB file to write. Default: <data dir>/extracts/<street code>.duckdb.")
@with_paths(database=True, database_help=ANALYST_DATABASE_HELP)
@ROLE_OPTION
def extract(street_code: str, out: Path | None, paths: Paths, role: str | None) -> None:
    """Write a DuckDB file with only one street's rows: its residents, houses, tags, visits, its committees' ledger
    rows, its areas and the reference seeds, from the masked analyst database (the raw one with a --role allowed
    to see full numbers). Working tables (staging, intermediate) are left out and listed."""
    from shequyun.analyst.extract import ExtractError, extract_street

    db = reading_database(paths, role)
    masked = _is_masked(db)
    out = out or paths.extracts / f"{street_code}.duckdb"
    try:
        summary = extract_street(db, street_code, out)
    except ExtractError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary.render())
    if masked:
        click.echo("ID and phone numbers in the extract are masked, with keyed tokens to join on (as the analyst database).")
    else:
        click.echo("The extract holds full ID and phone numbers (unmasked, --role): keep it where the street's "
                   "personal data may be.")


def _is_masked(db: Path) -> bool:
    from shequyun.analyst.database import connect_read_only
    from shequyun.analyst.publish import is_analyst_database

    with connect_read_only(db) as con:
        return is_analyst_database(con)


@click.command("docs")
@with_paths(database=True)
@click.option("--serve", is_flag=True, help="Then serve the site on http://HOST:PORT until Ctrl-C.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address --serve listens on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port --serve listens on.")
def docs(paths: Paths, serve: bool, host: str, port: int) -> None:
    """Generate the thematic database's documentation (dbt docs generate --static, read-only) into
    <data dir>/warehouse/docs/ and print the path of the self-contained static_index.html."""
    from shequyun.analyst.docs import DocsError, generate_docs, serve_docs

    try:
        index = generate_docs(paths, echo=lambda line: click.echo(line, err=True))
    except DocsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"documentation: {index}")
    click.echo(f"  open it in a browser (file://{index}), or serve the folder: shequyun docs --serve")
    if serve:  # pragma: no cover - blocks
        click.echo(f"serving {index.parent} on http://{host}:{port}/ (Ctrl-C stops)")
        serve_docs(index.parent, host, port)


COMMANDS: list[click.Command] = [tags_group, person_group, query, extract, docs]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(query())
