"""The synthetic city's commands, added to `shequyun` through the entry-point group `shequyun.commands`
(pyproject.toml): `shequyun generate`, `shequyun load-db`, `shequyun demo`. The platform itself never imports
this package; the generator is a client of the platform, like the tests and the benchmarks."""

from __future__ import annotations

import sys

import click

from shequyun.core.options import with_paths
from shequyun.core.settings import Paths, mysql_dsn, pg_dsn
from shequyun_synth.profiles import PROFILES

DEFAULT_PERSONS = 20000
DEFAULT_SEED = 20261126


@click.command()
@click.option("--persons", "-n", type=click.IntRange(min=100), default=DEFAULT_PERSONS, show_default=True,
              help="Number of persons in the city.")
@click.option("--seed", "-s", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed (same seed, same city).")
@with_paths()
@click.option("--load-db/--no-load-db", default=False, show_default=True,
              help="Also load the database systems into PostgreSQL and MariaDB.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
@click.option("--profile", type=click.Choice(PROFILES), default="default", show_default=True,
              help="Which department systems deliver the city: default (connectors/sources) or frozen2 "
                   "(shequyun_synth/profiles/frozen2, systems the platform was not configured for).")
def generate(persons: int, seed: int, paths: Paths, load_db: bool, progress: bool, profile: str) -> None:
    """Generate a synthetic city with department extracts and ground truth into the data directory."""
    from shequyun_synth.profiles import generate_profile

    manifest = generate_profile(profile, paths.root, persons=persons, seed=seed, load_db=load_db, progress=progress)
    suffix = "" if profile == "default" else f", profile {profile}"
    click.echo(f"generated {persons:,} persons (seed {seed}{suffix}) into {paths.root}")
    for name, rows in sorted(manifest.get("rows", {}).items()):
        click.echo(f"  {name:<60} {rows:>10,} rows")


@click.command("load-db")
@with_paths()
def load_db(paths: Paths) -> None:
    """Load the generated database systems into PostgreSQL and MariaDB (DSNs from SHEQUYUN_PG_DSN / SHEQUYUN_MYSQL_DSN)."""
    from shequyun_synth.dbload import load_databases

    counts = load_databases(paths.root, pg_dsn(), mysql_dsn())
    for table, rows in counts.items():
        click.echo(f"  {table:<30} {rows:>10,} rows")


@click.command()
@with_paths()
@click.option("--persons", "-n", type=click.IntRange(min=100), default=DEFAULT_PERSONS, show_default=True,
              help="Number of persons in the demo city.")
@click.option("--seed", "-s", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed of the demo city.")
@click.option("--regenerate/--reuse", default=False, show_default=True,
              help="Regenerate the city even if the data directory already holds one.")
def demo(paths: Paths, persons: int, seed: int, regenerate: bool) -> None:
    """Generate the default synthetic city, load the databases when their servers answer, run everything, summarise."""
    from shequyun_synth.demo import run_demo

    ok = run_demo(paths, persons=persons, seed=seed, regenerate=regenerate, echo=click.echo)
    sys.exit(0 if ok else 1)
