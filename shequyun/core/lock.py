"""One lock per data directory: ingest, build and export take turns.

    with data_dir_lock(paths, "build", timeout=0):       # DataDirLocked at once when another run holds it
        ...

Two runs writing one data directory at once interleave their receipts, swap each other's databases (the
`previous` database would hold the other run's output) and write into one outbox. The lock is an OS file lock
(`<data dir>/.shequyun.lock`, filelock): the kernel releases it when the holder dies, even by kill -9, so a dead run
never blocks the next one. Beside it `<data dir>/.shequyun.lock.json` says who holds it (pid, host, start time,
what it is doing), for the message a second run gets.

The lock is re-entrant within one process (a `shequyun run` lands, then builds; Dagster runs the assets of one
job in one process): the first acquisition takes the OS lock, nested ones count, the last release drops it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from shequyun.core.settings import Paths

LOCK_NAME = ".shequyun.lock"
HOLDER_NAME = ".shequyun.lock.json"

__all__ = ["DataDirLocked", "data_dir_lock", "lock_holder"]


class DataDirLocked(RuntimeError):
    """Another run holds the data directory's lock for longer than the caller would wait."""


_guard = threading.Lock()
_held: dict[Path, tuple[FileLock, int]] = {}   # lock file -> (the OS lock, nesting depth) of this process


def lock_holder(root: Path) -> dict[str, object] | None:
    """Who holds (or last held) the lock of data directory `root`: pid, host, started_at, purpose; None if unknown."""
    try:
        return json.loads((root / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _describe(holder: dict[str, object] | None) -> str:
    if not holder:
        return "another run (holder unknown)"
    return (f"{holder.get('purpose', 'a run')} of pid {holder.get('pid')} on {holder.get('host')}, "
            f"started {holder.get('started_at')}")


@contextmanager
def data_dir_lock(paths: Paths | Path, purpose: str, timeout: float = 0.0, *,
                  error: Callable[[str], Exception] = DataDirLocked) -> Iterator[Path]:
    """Hold the data directory's lock for the block (re-entrant in this process). Waits at most `timeout` seconds
    (0: not at all) for another holder, then raises `error` (DataDirLocked, or the caller's own error class) with a
    message naming the holder's pid and start time."""
    root = paths.root if isinstance(paths, Paths) else Path(paths)
    root.mkdir(parents=True, exist_ok=True)
    path = (root / LOCK_NAME).resolve()
    with _guard:
        held = _held.get(path)
        if held:
            _held[path] = (held[0], held[1] + 1)
    if not held:
        lock = FileLock(str(path), thread_local=False)
        try:
            lock.acquire(timeout=timeout, poll_interval=0.2)
        except Timeout:
            raise error(
                f"{root} is in use by {_describe(lock_holder(root))}; waited {timeout:g} s "
                f"(lock {path}; it is released when that run ends, also when it is killed)") from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "purpose": purpose,
                  "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
        tmp = root / f"{HOLDER_NAME}.{os.getpid()}"
        tmp.write_text(json.dumps(holder), encoding="utf-8")
        os.replace(tmp, root / HOLDER_NAME)
        with _guard:
            _held[path] = (lock, 1)
    try:
        yield path
    finally:
        with _guard:
            lock, depth = _held[path]
            if depth > 1:
                _held[path] = (lock, depth - 1)
            else:
                del _held[path]
                (root / HOLDER_NAME).unlink(missing_ok=True)
                lock.release()
