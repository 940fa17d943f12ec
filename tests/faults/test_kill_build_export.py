"""Fault injection (issue 13 item 5), build and export: SIGKILL during `shequyun run` (the build of the thematic
database), during the database swap and during `shequyun export` into the outbox, then run again.

After every kill: the last good thematic database (warehouse/shequyun.duckdb) opens and is the build it was (its
marts.build_info.built_at), or the finished new build with the last good one as `previous`; the analyst database
opens and is a finished publication; no package in the outbox is half-written (every file is the manifest's, with its
checksum and size; no manifest-less folder); the delivery log has no partial line. The next run is not blocked by the
dead run's lock or holder note, removes what the dead run left (.build-*, .previous-*, .analyst-* and their WALs;
outbox/.staging-*), and gives what an undisturbed run gives: the same tables (`except all` both ways), the same
packages.

Kill points (16; with tests/faults/test_kill_ingest.py's 6 the fault suite has 22):
* build, real `shequyun run` (ingest, then dbt, analyst copy, swap): 1 kill at a seeded random moment in 10-75 % of
  an undisturbed run, the whole process group (dbt is a subprocess of the run). One only: every whole-run kill costs
  most of a build (the suite's time), and the swap's states are each killed below;
* build swap (tests/faults/swap_build.py: the production sequence with dbt replaced by a copy of a finished
  database): the 6 failpoints of BUILD_FAILPOINTS, then 2 kills at seeded random moments of its run;
* export, real `shequyun export` into the outbox: the 5 failpoints of EXPORT_FAILPOINTS (on `--frequency weekly`:
  4 at a first export, `publish.swap.exchanged` at a re-export over its packages), and 2 kills at seeded random
  moments of a whole export.

Compared apart from what differs by nature (TIMESTAMP_COLUMNS, and in the outbox GENERATED_BY_TIME).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from exports.publish import LOG_NAME, MANIFEST_NAME, read_log
from shequyun.analyst.publish import analyst_database
from shequyun.core.build_info import read_build_info
from shequyun.core.failpoints import ENVIRONMENT_VARIABLE
from shequyun.core.lock import HOLDER_NAME
from shequyun.core.warehouse import current_database, previous_database
from shequyun.files.writers import sha256_of
from shequyun_synth.testing import isolated_databases

SHEQUYUN = str(Path(sys.executable).with_name("shequyun"))
SWAP_BUILD = str(Path(__file__).with_name("swap_build.py"))

#: failpoints of a build, in the order a build passes them, and what a kill there leaves as (current, previous):
#: "old" the current database before the build, "new" the build being swapped in, "prev" the previous one before it
BUILD_FAILPOINTS = {
    "build.copied": ("old", "prev"),                 # the private copy made, "dbt" not run
    "build.swap.before": ("old", "prev"),            # build finished and checkpointed, analyst copy written
    "build.swap.previous_linked": ("old", "prev"),   # current has a second name .previous-<pid>-<id>
    "build.swap.after_previous": ("old", "old"),     # current moved to previous, the new one not yet moved in
    "build.swap.after_current": ("new", "old"),      # the new one in; the analyst database not yet swapped
    "analyst.swap.before": ("new", "old"),           # the analyst copy fsynced, not yet renamed in
}
#: failpoints of an export into the outbox; the first four hit at a first export, the last replaces a package
EXPORT_FAILPOINTS = ["export.files_staged", "export.package.manifest_written", "export.package.logged",
                     "export.package.swapped_in", "publish.swap.exchanged"]
#: columns that differ between two builds of the same data by nature, and what of them is compared: build_info's
#: built_at (when the build ran) and code_version (`git describe` of the checkout: it changes when anyone commits while
#: the test runs) not at all, and of its source_batches (one per system, from the lake's receipts) not last_batch_id /
#: last_loaded_at / last_status, which name the last load - the no-op load of the run that built it
TIMESTAMP_COLUMNS = {"marts.build_info": {
    "built_at": None,
    "code_version": None,
    "source_batches": "list_transform(source_batches, b -> struct_pack(system := b.system, batches_landed := "
                      "b.batches_landed, rows_landed := b.rows_landed, last_landed_at := b.last_landed_at, "
                      "stale := b.stale))",
}}
#: parts of a package that hold the export's moment: manifest generated_at, and the xlsx files' docProps/core.xml
#: (xlsxwriter writes generated_at as the workbook's creation time), hence their manifest sha256 and bytes
GENERATED_BY_TIME = {"manifest": "generated_at", "xlsx member": "docProps/core.xml"}
LEFTOVERS = (".build-*", ".previous-*", ".analyst-*", "*.wal")


# --- running and killing ---------------------------------------------------------------------------------------

def _start(args: list[str], env: dict[str, str], failpoint: str | None = None) -> subprocess.Popen:
    run_env = {**env, ENVIRONMENT_VARIABLE: failpoint} if failpoint else env
    return subprocess.Popen(args, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)   # its own process group: dbt and export workers die with it


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = _start(args, env)
    try:
        code = proc.wait(timeout=900)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)     # no orphaned run or dbt left working after the test gave up
        proc.wait(timeout=60)
        raise
    assert code == 0, f"{args} failed"
    return time.monotonic() - started


def _kill_at(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL the process group after `seconds`; False when the run had already ended."""
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        return True


def _killed_at_failpoint(proc: subprocess.Popen, point: str) -> None:
    assert proc.wait(timeout=900) == -signal.SIGKILL, f"the run did not die at failpoint {point}"


def _run_command(data_dir: Path) -> list[str]:
    return [SHEQUYUN, "run", "--data-dir", str(data_dir)]


def _export_command(data_dir: Path, *options: str) -> list[str]:
    return [SHEQUYUN, "export", "--data-dir", str(data_dir), *options]


# --- what must hold after a kill -------------------------------------------------------------------------------

def built_at(database: Path) -> dt.datetime:
    """A thematic database's identity: when its build ran (it opens, and it has its build_info)."""
    return read_build_info(database).built_at


def assert_warehouse_readable(data_dir: Path) -> tuple[dt.datetime, dt.datetime | None]:
    """The current and previous databases open with their build_info, the analyst database is a finished
    publication; returns (current, previous) identities."""
    warehouse = data_dir / "warehouse"
    current = built_at(current_database(warehouse))
    previous = built_at(previous_database(warehouse)) if previous_database(warehouse).exists() else None
    with duckdb.connect(str(analyst_database(warehouse)), read_only=True) as con:
        assert con.execute("select masked from main.analyst_publication").fetchone() == (True,)
    return current, previous


def analyst_is_of_current(data_dir: Path) -> bool:
    """The analyst database was written from the current thematic database (its source_built_at)."""
    warehouse = data_dir / "warehouse"
    with duckdb.connect(str(analyst_database(warehouse)), read_only=True) as con:
        source = con.execute("select source_built_at from main.analyst_publication").fetchone()[0]
    with duckdb.connect(str(current_database(warehouse)), read_only=True) as con:
        return source == con.execute("select cast(max(built_at) as varchar) from marts.build_info").fetchone()[0]


def leftovers(data_dir: Path) -> list[str]:
    warehouse = data_dir / "warehouse"
    return sorted(p.name for pattern in LEFTOVERS for p in warehouse.glob(pattern))


def assert_clean_after_rerun(data_dir: Path) -> None:
    assert leftovers(data_dir) == [], "a dead run's files are left in the warehouse"
    assert not (data_dir / HOLDER_NAME).exists()


def assert_outbox_whole(outbox: Path) -> dict[Path, str]:
    """Every package folder in the outbox is complete: its manifest parses, it holds exactly the manifest's files,
    each with the manifest's checksum and size; nothing else is visible outside hidden staging; every log line is
    whole JSON. Returns package folder -> manifest sha256."""
    packages: dict[Path, str] = {}
    if not outbox.exists():
        return packages
    for path in outbox.rglob("*"):
        rel = path.relative_to(outbox)
        if rel.parts[0].startswith(".") or rel.name == LOG_NAME:
            continue
        assert len(rel.parts) <= 5, f"{rel}: not in a package folder"
        if len(rel.parts) < 4:
            assert path.is_dir(), f"{rel}: a file outside any package"
            continue
        if len(rel.parts) == 5:
            continue          # a package's file: checked against its manifest below
        manifest = path / MANIFEST_NAME
        assert manifest.is_file(), f"{rel}: a package folder without {MANIFEST_NAME}"
        listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        assert sorted(p.name for p in path.iterdir()) == sorted([MANIFEST_NAME, *(f["file"] for f in listed)]), rel
        for entry in listed:
            file = path / entry["file"]
            assert file.stat().st_size == entry["bytes"] and sha256_of(file) == entry["sha256"], f"{rel}: {file.name}"
        packages[rel] = sha256_of(manifest)
    if (outbox / LOG_NAME).exists():
        assert (outbox / LOG_NAME).read_bytes().endswith(b"\n"), "a partial line ends the delivery log"
        read_log(outbox)      # every line parses
    return packages


# --- what an undisturbed run gives -----------------------------------------------------------------------------

def assert_same_tables(expected: Path, got: Path) -> int:
    """Every table of `expected` (all schemas) has the same rows in `got`, `except all` both ways, apart from
    TIMESTAMP_COLUMNS; no table is missing or added. Returns the number of tables compared."""
    con = duckdb.connect()
    con.execute(f"attach '{expected}' as e (read_only)")
    con.execute(f"attach '{got}' as g (read_only)")

    def tables(alias: str) -> dict[str, list[str]]:
        rows = con.execute("select schema_name, table_name, list(column_name order by column_index) "
                           "from duckdb_columns() where database_name = ? and not internal group by all",
                           [alias]).fetchall()
        return {f"{s}.{t}": cols for s, t, cols in rows}

    te, tg = tables("e"), tables("g")
    assert sorted(te) == sorted(tg)
    for name, columns in te.items():
        assert columns == tg[name], name
        volatile = TIMESTAMP_COLUMNS.get(name, {})
        kept = ", ".join(f'{volatile[c] or "null"} as "{c}"' if c in volatile else f'"{c}"' for c in columns)
        schema, table = name.split(".", 1)
        q = f'select {kept} from {{db}}."{schema}"."{table}"'
        for a, b in (("e", "g"), ("g", "e")):
            differ = con.execute(f"select count(*) from ({q.format(db=a)} except all {q.format(db=b)})").fetchone()[0]
            assert differ == 0, f"{name}: {differ} rows of the {'undisturbed' if a == 'e' else 'rerun'} build only"
    return len(te)


def _xlsx_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != GENERATED_BY_TIME["xlsx member"]}


def _timeless(manifest: dict) -> dict:
    files = [{k: v for k, v in f.items() if f["format"] != "xlsx" or k not in ("sha256", "bytes")}
             for f in manifest["files"]]
    return {**{k: v for k, v in manifest.items() if k != GENERATED_BY_TIME["manifest"]}, "files": files}


def assert_same_packages(expected: Path, got: Path) -> int:
    """The same package folders with the same files: manifests equal apart from generated_at (and the xlsx checksums
    it changes), csv and parquet byte for byte, xlsx member by member apart from docProps/core.xml. Returns the
    number of files compared."""
    pe, pg = assert_outbox_whole(expected), assert_outbox_whole(got)
    assert sorted(pe) == sorted(pg)
    compared = 0
    for rel in pe:
        me = json.loads((expected / rel / MANIFEST_NAME).read_text(encoding="utf-8"))
        mg = json.loads((got / rel / MANIFEST_NAME).read_text(encoding="utf-8"))
        assert _timeless(me) == _timeless(mg), f"{rel}: manifests differ"
        for entry in me["files"]:
            a, b = expected / rel / entry["file"], got / rel / entry["file"]
            if entry["format"] == "xlsx":
                assert _xlsx_members(a) == _xlsx_members(b), f"{rel / entry['file']} differs"
            else:
                assert a.read_bytes() == b.read_bytes(), f"{rel / entry['file']} differs"
            compared += 1
    return compared


def assert_log_names_every_package(outbox: Path) -> None:
    """The last log line of every package (committee and period) carries the checksum of the manifest in the outbox."""
    last = {(e["committee_code"], e["period"]): e for e in read_log(outbox)}
    packages = assert_outbox_whole(outbox)
    assert len(last) == len(packages)
    for rel, sha in packages.items():
        assert last[(rel.parts[2], rel.parts[3])]["manifest_sha256"] == sha, rel


# --- the city --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):
    """A 200-person city landed and built by an undisturbed `shequyun run`, exported by an undisturbed
    `shequyun export`: (data dir, env, seconds of the run, seconds of the export)."""
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    calm = tmp_path_factory.mktemp("kill_build") / "undisturbed"
    generate_city(calm, persons=200, seed=13, load_db=False, progress=False)
    with isolated_databases("killb") as (pg_dsn, mysql_dsn):
        load_databases(calm, pg_dsn, mysql_dsn)
        env = {**os.environ, "SHEQUYUN_PG_DSN": pg_dsn, "SHEQUYUN_MYSQL_DSN": mysql_dsn, "SHEQUYUN_LOCK_TIMEOUT": "0"}
        for name in ("SHEQUYUN_SOURCES_DIR", "SHEQUYUN_DATA_DIR", ENVIRONMENT_VARIABLE):
            env.pop(name, None)
        run_seconds = _run(_run_command(calm), env)
        export_seconds = _run(_export_command(calm), env)
        yield calm, env, run_seconds, export_seconds


def _copy(calm: Path, to: Path, *, keep: tuple[str, ...]) -> Path:
    """The undisturbed data directory's top-level entries `keep` (and the hidden ones: the token key) copied."""
    shutil.copytree(calm, to, ignore=lambda folder, names: [
        n for n in names if Path(folder) == calm and not n.startswith(".") and n not in keep])
    for junk in (HOLDER_NAME,):
        (to / junk).unlink(missing_ok=True)
    return to


# --- the tests -------------------------------------------------------------------------------------------------

def test_a_build_killed_at_random_moments_then_rerun_gives_the_undisturbed_database(city, tmp_path: Path) -> None:
    calm, env, seconds, _ = city
    # models: the match model the undisturbed run estimated and stored, which every later build scores with
    assert (calm / "models" / "person_match" / "model.json").is_file()
    data_dir = _copy(calm, tmp_path / "build", keep=("landing", "lake", "warehouse", "db", "models"))
    last_good = built_at(current_database(calm / "warehouse"))
    rng = random.Random(20261208)
    for k, share in enumerate((rng.uniform(0.1, 0.75),)):
        proc = _start(_run_command(data_dir), env)
        assert _kill_at(proc, share * seconds), f"kill {k}: the run ended before {share:.0%} of an undisturbed one"
        current, previous = assert_warehouse_readable(data_dir)
        assert current == last_good or previous == last_good, f"kill {k}: the last good database is gone"
        last_good = current
        holder = json.loads((data_dir / HOLDER_NAME).read_text(encoding="utf-8"))
        assert holder["pid"] == proc.pid       # the dead run's note is there; it must not block the rerun
    _run(_run_command(data_dir), env)
    assert_clean_after_rerun(data_dir)
    current, previous = assert_warehouse_readable(data_dir)
    assert previous == last_good and current > last_good
    assert analyst_is_of_current(data_dir)
    assert assert_same_tables(current_database(calm / "warehouse"), current_database(data_dir / "warehouse")) > 100


def test_the_database_swap_killed_at_every_failpoint_and_at_random_moments(city, tmp_path: Path) -> None:
    calm, env, _, _ = city
    data_dir = _copy(calm, tmp_path / "swap", keep=("warehouse",))
    builds = {}
    for name in ("a", "b"):                      # two finished builds to swap in turn, told apart by built_at
        builds[name] = tmp_path / f"finished-{name}.duckdb"
        shutil.copyfile(current_database(calm / "warehouse"), builds[name])
    with duckdb.connect(str(builds["b"])) as con:
        con.execute("update marts.build_info set built_at = built_at + interval 1 day")
    identity = {built_at(path): path for path in builds.values()}

    def swap(failpoint: str | None = None) -> tuple[subprocess.Popen, dict[str, dt.datetime | None]]:
        old, prev = assert_warehouse_readable(data_dir)
        new = next(when for when in identity if when != old)
        proc = _start([sys.executable, SWAP_BUILD, str(data_dir), str(identity[new])], env, failpoint)
        return proc, {"old": old, "prev": prev, "new": new}

    started = time.monotonic()
    proc, _ = swap()
    assert proc.wait(timeout=300) == 0
    seconds = time.monotonic() - started
    for point, (want_current, want_previous) in BUILD_FAILPOINTS.items():
        proc, state = swap(point)
        _killed_at_failpoint(proc, point)
        assert leftovers(data_dir), f"{point}: the dead build left nothing to clean up"
        assert assert_warehouse_readable(data_dir) == (state[want_current], state[want_previous]), point
    rng = random.Random(20261209)
    for k in range(2):
        proc, state = swap()
        _kill_at(proc, rng.uniform(0.1, 0.95) * seconds)
        assert assert_warehouse_readable(data_dir) in {(state["old"], state["prev"]), (state["old"], state["old"]),
                                                       (state["new"], state["old"])}, f"random kill {k}"
    proc, state = swap()
    assert proc.wait(timeout=300) == 0
    assert_clean_after_rerun(data_dir)
    assert assert_warehouse_readable(data_dir) == (state["new"], state["old"])
    assert analyst_is_of_current(data_dir)


def test_an_export_killed_at_every_failpoint_and_at_random_moments_then_rerun_gives_the_undisturbed_outbox(
        city, tmp_path: Path) -> None:
    calm, env, _, seconds = city
    data_dir = _copy(calm, tmp_path / "export", keep=("warehouse",))
    outbox = data_dir / "outbox"
    first, replacing = EXPORT_FAILPOINTS[:-1], EXPORT_FAILPOINTS[-1:]
    published = {"export.files_staged": 0, "export.package.manifest_written": 0, "export.package.logged": 1,
                 "export.package.swapped_in": 1}
    weekly = _export_command(data_dir, "--frequency", "weekly")     # 3 of the 54 ledgers: a failpoint comes soon
    for point in first:
        _killed_at_failpoint(_start(weekly, env, point), point)
        assert len(assert_outbox_whole(outbox)) == published[point], point
        assert list(outbox.glob(".staging-*")), f"{point}: the dead export left no staging to clean up"
    rng = random.Random(20261210)
    for _ in range(2):
        _kill_at(_start(_export_command(data_dir), env), rng.uniform(0.1, 0.9) * seconds)
        assert_outbox_whole(outbox)
    _run(_export_command(data_dir), env)
    assert not list(outbox.glob(".staging-*")), "a dead export's staging is left in the outbox"
    assert assert_same_packages(calm / "outbox", outbox) > 100
    assert_log_names_every_package(outbox)
    for point in replacing:                 # a re-export over the packages: killed between the two renames
        _killed_at_failpoint(_start(weekly, env, point), point)
        assert_outbox_whole(outbox)
    _run(weekly, env)
    assert not list(outbox.glob(".staging-*"))
    assert assert_same_packages(calm / "outbox", outbox) > 100
    assert_log_names_every_package(outbox)
    assert not (data_dir / HOLDER_NAME).exists()
