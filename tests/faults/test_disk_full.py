"""Fault injection (issue 13 item 5), a full disk under the warehouse: a build that finds no room fails saying so, the
last good thematic database stays the current one, byte for byte, nothing is left behind (no half copy, no half
analyst database, nothing under a final name), and once space is freed the next build gives the same database as
the undisturbed one. And a full disk under the lake: an ingest names it for every system, lands nothing of what found
no room, and once space is freed lands exactly what an undisturbed ingest lands. And a full disk under the outbox: an
export says so (no traceback), publishes no package and no log line, and once space is freed exports what an
undisturbed export does.

The disk is real: the data directory's `warehouse/` is a size-limited tmpfs mounted for the module (the project's
machines and CI run as root, Linux), and a ballast file leaves exactly as much room as each case needs. A build
here is `pipelines.run.run_transform` - the `shequyun run` build: Dagster's transform job, dbt into a private copy,
the analyst database, the swap - of a few models (`MODELS` and what they are built from) on a small generated
city: the dbt run and its writes are real, in seconds instead of the full project's minutes.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner
from outbox_city import outbox_data_dir
from test_kill_ingest import snapshot

from exports.cli import export
from pipelines.run import TransformSummary, run_transform
from shequyun.core.settings import Paths
from shequyun_synth.testing import land_city

MODELS = ["build_info", "stg_public_security__hukou_persons"]
DISK_MB = 64
# columns whose values differ between two builds of the same data by nature: (schema, table) -> columns; build_info's
# built_at is the build's time, code_version the checkout's `git describe` (a commit between two builds changes it),
# person_match_model_estimated_at the build's time too: these builds of two models store no person match model
BY_NATURE = {("marts", "build_info"): ["built_at", "code_version", "person_match_model_estimated_at"]}
FINAL_NAMES = ("shequyun.duckdb", "shequyun.previous.duckdb", "analyst.duckdb")


@contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """`folder` on a tmpfs of its own of `megabytes`, unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                           capture_output=True, text=True, check=False)
    assert mount.returncode == 0, f"the disk-full tests mount a tmpfs (root, Linux): {mount.stderr.strip()}"
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


@contextmanager
def room_left(folder: Path, nbytes: int) -> Iterator[None]:
    """Fill the disk holding `folder` with a ballast file until `nbytes` are free; remove it afterwards."""
    ballast = folder / "ballast"
    free = shutil.disk_usage(folder).free
    assert free > nbytes, (free, nbytes)
    subprocess.run(["fallocate", "-l", str(free - nbytes), str(ballast)], check=True)
    assert abs(shutil.disk_usage(folder).free - nbytes) < 64 * 1024
    try:
        yield
    finally:
        ballast.unlink()


def fingerprint(warehouse: Path) -> dict[str, str]:
    """Every file under the warehouse but dbt's logs, by name: sha256 of the database files, the other names only."""
    files = {}
    for path in sorted(warehouse.iterdir()):
        if path.name in FINAL_NAMES:
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.name not in ("logs", "ballast"):
            files[path.name] = "present"
    return files


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], list[str]]:
    rows = con.execute("""select schema_name, table_name, list(column_name order by column_index)
                          from duckdb_columns() where database_name = ? and not internal
                          group by all""", [catalog]).fetchall()
    return {(s, t): cols for s, t, cols in rows}


def assert_same_database(got: Path, expected: Path) -> None:
    """Every table of both files holds the same rows (`except all` both ways), but the columns of BY_NATURE."""
    with duckdb.connect() as con:
        con.execute(f"attach '{got}' as got (read_only)")
        con.execute(f"attach '{expected}' as expected (read_only)")
        got_tables, expected_tables = tables(con, "got"), tables(con, "expected")
        assert got_tables == expected_tables
        for (schema, table), columns in expected_tables.items():
            kept = ", ".join(f'"{c}"' for c in columns if c not in BY_NATURE.get((schema, table), []))
            for a, b in (("got", "expected"), ("expected", "got")):
                extra = con.execute(f'select count(*) from (select {kept} from {a}."{schema}"."{table}" except all '
                                    f'select {kept} from {b}."{schema}"."{table}")').fetchone()[0]
                assert extra == 0, f"{schema}.{table}: {extra} row(s) of the {a} database not in the {b} one"


@dataclass
class City:
    paths: Paths
    undisturbed: Path       # the database of the undisturbed build, copied off the small disk


def build(city: City) -> TransformSummary:
    with pytest.MonkeyPatch.context() as env:
        env.delenv("DAGSTER_HOME", raising=False)       # an ephemeral Dagster instance, as in CI
        return run_transform(city.paths.root, models=MODELS)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    root = tmp_path_factory.mktemp("disk_full")
    paths = land_city(root / "city", persons=200, seed=13, prefix="diskfull")
    with small_disk(paths.warehouse, DISK_MB):
        city = City(paths, root / "undisturbed.duckdb")
        summary = build(city)
        assert summary.success, summary.render()
        assert 0 < summary.step_seconds["thematic_database"] <= summary.seconds     # the run's own timing of its steps
        shutil.copyfile(paths.warehouse / "shequyun.duckdb", city.undisturbed)
        yield city


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_build_that_fills_the_disk_fails_saying_so_and_the_rerun_gives_the_undisturbed_database(city: City) -> None:
    warehouse = city.paths.warehouse
    before = fingerprint(warehouse)
    current = warehouse / "shequyun.duckdb"
    # room for the private copy of the current database, not for what dbt writes into it
    with room_left(warehouse, current.stat().st_size + 256 * 1024):
        failed = build(city)
        assert not failed.success
        message = failed.render()
        assert f"the disk holding {warehouse} is full (no space left on device" in message, message
        assert "the last good thematic database is left in place" in message
        assert fingerprint(warehouse) == before         # the last good database, byte for byte; nothing left behind
    assert_same_database(current, city.undisturbed)

    # what a build killed on the full disk would have left: removed by the next build
    stale = warehouse / f".build-{_dead_pid()}-0123456789abcdef.duckdb"
    stale.write_bytes(b"\0" * 4096)
    rerun = build(city)
    assert rerun.success, rerun.render()
    assert not stale.exists()
    assert sorted(p.name for p in warehouse.iterdir()) == ["analyst.duckdb", "logs", "shequyun.duckdb",
                                                          "shequyun.previous.duckdb"]
    assert_same_database(current, city.undisturbed)
    assert fingerprint(warehouse)["shequyun.previous.duckdb"] == before["shequyun.duckdb"]


def test_no_room_for_the_private_copy_leaves_no_half_copy(city: City) -> None:
    warehouse = city.paths.warehouse
    before = fingerprint(warehouse)
    half = (warehouse / "shequyun.duckdb").stat().st_size // 2
    with room_left(warehouse, half):
        failed = build(city)
        assert not failed.success
        assert fingerprint(warehouse) == before         # no `.build-*` half copy filling the disk further
        assert f"the disk holding {warehouse} is full" in failed.render()
        assert shutil.disk_usage(warehouse).free >= half - 64 * 1024
    assert_same_database(warehouse / "shequyun.duckdb", city.undisturbed)


INGESTED = ["ca_dibao", "ca_divisions", "cc_visits", "ps_hukou"]    # xlsx, CSV, JSON lines, GBK CSV


def test_an_ingest_onto_a_full_lake_names_the_disk_and_the_rerun_lands_what_an_undisturbed_ingest_does(
        city: City, tmp_path: Path) -> None:
    data_dir = tmp_path / "ingest"
    shutil.copytree(city.paths.landing, data_dir / "landing")
    expected = {part: frame.filter(pl.col(frame.columns[0]).is_in(INGESTED))
                for part, frame in snapshot(city.paths.root).items()}       # landed by the fixture, every system
    command = [str(Path(sys.executable).with_name("shequyun")), "ingest", "--no-progress", "--data-dir", str(data_dir),
               *(a for s in INGESTED for a in ("--system", s))]
    with small_disk(data_dir / "lake", 16):
        with room_left(data_dir / "lake", 0):
            full = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
            assert full.returncode == 1 and "Traceback" not in full.stdout + full.stderr, full.stdout + full.stderr
            for system in INGESTED:
                assert f"FAILED {system}: " in full.stdout and f"the disk holding {data_dir / 'lake'} is full" in \
                    next(x for x in full.stdout.splitlines() if f"FAILED {system}: " in x), full.stdout
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        got = snapshot(data_dir)
    for part in ("bronze", "quarantine", "landed"):
        assert got[part].equals(expected[part]), f"{part} differs from the undisturbed ingest"


def packages(outbox: Path) -> dict[str, bytes | None]:
    """The published packages' files by path: CSV and Parquet by content, xlsx and manifests by name (they hold the
    time they were written)."""
    return {str(f.relative_to(outbox)): f.read_bytes() if f.suffix in (".csv", ".parquet") else None
            for f in sorted(outbox.rglob("*")) if f.is_file() and not any(part.startswith((".", "_")) or
                                                                         part == "ballast" for part in f.relative_to(outbox).parts)}


def test_an_export_onto_a_full_outbox_says_so_and_publishes_nothing_half(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calm = outbox_data_dir(tmp_path / "calm", monkeypatch)
    assert CliRunner().invoke(export, ["--data-dir", str(calm)]).exit_code == 0
    expected = packages(calm / "outbox")
    assert len(expected) > 10
    data_dir = outbox_data_dir(tmp_path / "full", monkeypatch)
    outbox = data_dir / "outbox"
    with small_disk(outbox, 8):
        with room_left(outbox, 0):
            full = CliRunner().invoke(export, ["--data-dir", str(data_dir)])
            assert full.exit_code == 1 and isinstance(full.exception, SystemExit), full.exception   # not a traceback
            assert f"Error: the disk holding {outbox} is full (no space left on device" in full.output, full.output
            assert packages(outbox) == {} and not (outbox / "_deliveries.jsonl").exists()   # nothing published
        again = CliRunner().invoke(export, ["--data-dir", str(data_dir)])
        assert again.exit_code == 0, again.output
        assert packages(outbox) == expected
        assert not [p.name for p in outbox.iterdir() if p.name.startswith(".staging")]  # the dead export's staging
