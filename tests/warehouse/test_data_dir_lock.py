"""One lock per data directory (shequyun.core.lock): a second ingest, build or export waits or stops with a message
naming the holder; a killed holder blocks nobody; a killed build's files are removed by the next build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from exports.package import ExportError, export_packages
from shequyun.cli import main
from shequyun.core.lock import DataDirLocked, data_dir_lock, lock_holder
from shequyun.core.warehouse import begin_build, remove_dead_builds

HOLD = """
import sys, time
from shequyun.core.lock import data_dir_lock
with data_dir_lock(sys.argv[1], "test holder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(root: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_stops_naming_the_holder_or_waits_for_it(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 1.5)
    try:
        holder = lock_holder(tmp_path)
        assert holder is not None and holder["pid"] == proc.pid and holder["purpose"] == "test holder"
        with pytest.raises(DataDirLocked, match=rf"test holder of pid {proc.pid} on .*, started 20"), \
                data_dir_lock(tmp_path, "second", timeout=0):
            pass
        started = time.monotonic()
        with data_dir_lock(tmp_path, "second", timeout=30):     # waits until the holder is done
            assert time.monotonic() - started > 0.3
            assert lock_holder(tmp_path)["pid"] == os.getpid()
    finally:
        proc.wait(timeout=30)
    assert lock_holder(tmp_path) is None                          # released: nobody holds it


def test_a_killed_holder_blocks_nobody(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert lock_holder(tmp_path)["pid"] == proc.pid               # its note is stale, its lock is gone
    with data_dir_lock(tmp_path, "after a kill", timeout=0):
        assert lock_holder(tmp_path)["purpose"] == "after a kill"


def test_the_lock_is_reentrant_in_one_process_across_threads(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with data_dir_lock(tmp_path, "run"):
        def nested() -> None:
            try:
                with data_dir_lock(tmp_path, "step in another thread", timeout=0):
                    pass
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        t = threading.Thread(target=nested)
        t.start()
        t.join()
        with data_dir_lock(tmp_path, "nested"):
            pass
        assert lock_holder(tmp_path)["purpose"] == "run"          # the outer holder's note stays
    assert errors == []
    assert lock_holder(tmp_path) is None


def test_commands_and_exports_refuse_a_held_data_directory(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 60)
    try:
        result = CliRunner().invoke(main, ["ingest", "--data-dir", str(tmp_path), "--no-progress"])
        assert result.exit_code == 1
        assert f"pid {proc.pid}" in result.output and "in use by test holder" in result.output
        with pytest.raises(ExportError, match=f"pid {proc.pid}"):
            export_packages(tmp_path / "warehouse" / "shequyun.duckdb", tmp_path / "outbox", "2026-11",
                            frequency="monthly", outbox=tmp_path / "outbox", lock_timeout=0)
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_killed_builds_files_are_removed_by_the_next_build(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    leftovers = [warehouse / f".build-{dead.pid}-abc.duckdb", warehouse / f".build-{dead.pid}-abc.duckdb.wal",
                 warehouse / f".previous-{dead.pid}-abc.duckdb"]
    live = warehouse / f".build-{os.getpid()}-def.duckdb"          # a build of a process still running
    for path in [*leftovers, live]:
        path.write_bytes(b"x" * 1024)
    build = begin_build(warehouse)
    assert not any(p.exists() for p in leftovers) and live.exists()
    assert build.name.startswith(f".build-{os.getpid()}-")
    assert remove_dead_builds(warehouse) == []
