"""The thematic database file and its atomic replacement.

Readers must never see a half-built database (DESIGN.md). A build therefore works on a private copy:

    warehouse/shequyun.duckdb            the current database: what analysts and exports open
    warehouse/shequyun.previous.duckdb   the one it replaced (kept for one build)
    warehouse/analyst.duckdb             the masked copy analysts read (shequyun.analyst.publish), written as
                                         .analyst-<pid>-<id>.duckdb and swapped in after the thematic database
    warehouse/.build-<pid>-<id>.duckdb   a build in progress (a copy of the current one, so snapshots and
                                         incremental models keep their history); a killed build's copy and WAL
                                         are removed by the next build (remove_dead_builds)

`os.replace` swaps the finished build in atomically: a reader that opens the path sees either the old or
the new file, and a reader that already has the old one open keeps reading it (POSIX keeps the inode). A
failed build deletes its copy and leaves the current database untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from shequyun.core.failpoints import failpoint
from shequyun.core.settings import CURRENT_DATABASE_NAME

CURRENT_NAME = CURRENT_DATABASE_NAME
PREVIOUS_NAME = "shequyun.previous.duckdb"


def current_database(warehouse: Path) -> Path:
    return warehouse / CURRENT_NAME


def previous_database(warehouse: Path) -> Path:
    return warehouse / PREVIOUS_NAME


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file so the swapped file is complete on its own."""
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")
    wal = path.with_name(path.name + ".wal")
    if wal.exists():  # pragma: no cover - duckdb removes it on a clean checkpoint
        raise RuntimeError(f"{path}: write-ahead log left after checkpoint")


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (a folder: so that a rename in it survives a crash)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # a process of another user
        return True
    return True


def remove_dead_builds(warehouse: Path) -> list[Path]:
    """Remove what dead builds left: `.build-<pid>-<id>.duckdb` (and its `.wal`), `.previous-<pid>-<id>.duckdb` and
    `.analyst-<pid>-<id>.duckdb` whose process is gone (killed, crashed). A live build's files are left alone.
    Returns the removed files."""
    removed = []
    for path in sorted([*warehouse.glob(".build-*"), *warehouse.glob(".previous-*"), *warehouse.glob(".analyst-*")]):
        parts = path.name.split("-")
        if len(parts) < 3 or not parts[1].isdigit() or _pid_alive(int(parts[1])):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def begin_build(warehouse: Path) -> Path:
    """A private copy of the current database (or a new empty path) to build into. Leftovers of dead builds are
    removed first."""
    warehouse.mkdir(parents=True, exist_ok=True)
    remove_dead_builds(warehouse)
    build = warehouse / f".build-{os.getpid()}-{uuid.uuid4().hex}.duckdb"
    current = current_database(warehouse)
    if current.exists():
        try:
            shutil.copy2(current, build)
        except BaseException:
            discard_build(build)        # a half copy (the disk filled up) is not left behind to fill it more
            raise
    failpoint("build.copied")
    return build


def commit_build(build: Path, warehouse: Path) -> Path:
    """Swap a finished build in; the replaced database becomes the previous one. Returns the current path."""
    current = current_database(warehouse)
    _checkpoint(build)
    fsync_path(build)
    failpoint("build.swap.before")
    if current.exists():
        keep = warehouse / f".previous-{os.getpid()}-{uuid.uuid4().hex}.duckdb"
        os.link(current, keep)  # a second name for the current file, so it survives the swap
        failpoint("build.swap.previous_linked")
        os.replace(keep, previous_database(warehouse))
        failpoint("build.swap.after_previous")
    os.replace(build, current)
    failpoint("build.swap.after_current")
    fsync_path(warehouse)
    return current


def discard_build(build: Path) -> None:
    for path in (build, build.with_name(build.name + ".wal")):
        path.unlink(missing_ok=True)


@contextmanager
def warehouse_build(warehouse: Path) -> Iterator[Path]:
    """Build into a private copy; swap it in when the block finishes, discard it when the block raises."""
    build = begin_build(warehouse)
    try:
        yield build
        commit_build(build, warehouse)      # its checkpoint may still find the disk full: then discarded too
    except BaseException:
        discard_build(build)
        raise
