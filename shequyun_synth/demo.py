"""`make demo`: generate the default city, load the database systems, run the Dagster job, export every committee's
ledgers into the outbox, summarise."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from shequyun.core.settings import Paths, mysql_dsn, pg_dsn


def _same_city(paths: Paths, persons: int, seed: int) -> bool:
    manifest = paths.root / "manifest.json"
    if not manifest.exists():
        return False
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return meta.get("persons") == persons and meta.get("seed") == seed


def _wipe(paths: Paths) -> None:
    for folder in (paths.landing, paths.db_extracts, paths.truth, paths.lake, paths.warehouse, paths.outbox):
        if folder.exists():
            shutil.rmtree(folder)
    (paths.root / "manifest.json").unlink(missing_ok=True)


def run_demo(paths: Paths, *, persons: int, seed: int, regenerate: bool, echo: Callable[[str], None] = print) -> bool:
    """Return True when every system landed (or was skipped for want of a database server)."""
    from pipelines.run import run_ingest, run_transform
    from shequyun.core.warehouse import current_database
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    started = time.perf_counter()
    if regenerate or not _same_city(paths, persons, seed):
        _wipe(paths)
        echo(f"1/5 generating a city of {persons:,} persons (seed {seed}) into {paths.root}")
        generate_city(paths.root, persons=persons, seed=seed, load_db=False, progress=True)
    else:
        echo(f"1/5 reusing the city in {paths.root} ({persons:,} persons, seed {seed})")

    echo("2/5 loading the database systems into PostgreSQL and MariaDB")
    try:
        counts = load_databases(paths.root, pg_dsn(), mysql_dsn())
        for table, rows in counts.items():
            echo(f"    {table:<24} {rows:>10,} rows")
    except Exception as exc:  # noqa: BLE001 - any failure here means: no server; the run reports those systems skipped
        echo(f"    database systems will be skipped: {exc}")

    echo("3/5 running the Dagster ingest job in process")
    summary = run_ingest(paths.root, None, skip_unavailable_databases=True)
    echo(summary.render())
    if not summary.success:
        return False

    echo("4/5 building the thematic database (dbt through Dagster)")
    built = run_transform(paths.root)
    echo(built.render())
    if not built.success:
        return False

    from shequyun.analyst.publish import analyst_database

    database = current_database(paths.warehouse)
    exported = _export_ledgers(paths, database, echo)
    echo(f"demo finished in {time.perf_counter() - started:,.1f} s; bronze Delta tables under {paths.bronze}, "
         f"thematic database at {database}, analysts' masked copy at {analyst_database(paths.warehouse)}, "
         f"committee packages under {paths.outbox}")
    return exported


def _export_ledgers(paths: Paths, database: Path, echo: Callable[[str], None]) -> bool:
    """5/5: every ledger for every committee of the city into the outbox, masked (exports/package.py)."""
    from exports.catalogue import CatalogueError
    from exports.package import ExportError, export_every_frequency

    echo(f"5/5 exporting every ledger for every committee into {paths.outbox} (masked; each ledger in the period "
         "of its frequency)")
    try:
        summary = export_every_frequency(database, paths.outbox)
    except (CatalogueError, ExportError) as exc:
        echo(f"    export FAILED: {exc}")
        return False
    echo(summary.render())   # packages, files, rows, ledgers, periods, MB, seconds
    return True
