"""`make demo`: generate the default city, load the database systems, run the Dagster job, summarise."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable

from shequyun.settings import Paths, mysql_dsn, pg_dsn


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
    from shequyun.synth.dbload import load_databases
    from shequyun.synth.generate import generate_city
    from shequyun.warehouse import current_database

    started = time.perf_counter()
    if regenerate or not _same_city(paths, persons, seed):
        _wipe(paths)
        echo(f"1/4 generating a city of {persons:,} persons (seed {seed}) into {paths.root}")
        generate_city(paths.root, persons=persons, seed=seed, load_db=False, progress=True)
    else:
        echo(f"1/4 reusing the city in {paths.root} ({persons:,} persons, seed {seed})")

    echo("2/4 loading the database systems into PostgreSQL and MariaDB")
    try:
        counts = load_databases(paths.root, pg_dsn(), mysql_dsn())
        for table, rows in counts.items():
            echo(f"    {table:<24} {rows:>10,} rows")
    except Exception as exc:  # noqa: BLE001 - any failure here means: no server; the run reports those systems skipped
        echo(f"    database systems will be skipped: {exc}")

    echo("3/4 running the Dagster ingest job in process")
    summary = run_ingest(paths.root, None, skip_unavailable_databases=True)
    echo(summary.render())
    if not summary.success:
        return False

    echo("4/4 building the thematic database (dbt through Dagster)")
    built = run_transform(paths.root)
    echo(built.render())
    echo(f"demo finished in {time.perf_counter() - started:,.1f} s; bronze Delta tables under {paths.bronze}, "
         f"thematic database at {current_database(paths.warehouse)}")
    return bool(built.success)
