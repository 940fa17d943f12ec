"""Publishing into an outbox: the one atomic swap of a package folder, the outbox lock, staging clean-up.

Both writers of committee packages publish through this module: `shequyun export` (exports.package.export_packages)
and delivery (exports.delivery.deliver_period). Neither moves a package folder any other way.

    with outbox_lock(outbox, timeout=3600.0):                   # deliveries and exports of one outbox take turns
        replaced = swap_in(staged_folder, outbox / "310106" / ... / "2026-11", aside=staging / "replaced" / code)

* **Swap, never mix.** `swap_in` puts a finished folder at its place in one step: `renameat2(RENAME_EXCHANGE)` swaps
  old and new atomically where Linux offers it (the folder never disappears); elsewhere the old folder is renamed
  aside and the new one renamed in (a moment with no folder, never a folder holding a mix of old and new files).
  The parent directory is fsynced, then the replaced package is removed. A reader that already has an old file open
  keeps reading it. `new`, `target` and `aside` must be on one filesystem (a rename is atomic only within one):
  callers stage inside the folder they publish into.
* **One lock per outbox.** `outbox/.delivery.lock` (a FileLock): a scheduled delivery, a `shequyun deliver` and a
  `shequyun export` into the same outbox queue on it instead of interleaving. Waiting longer than the timeout is an
  error naming the lock file.
* **Dead runs leave no litter.** `remove_stale_staging` removes the staging folders of runs that died: those older
  than a day (fresh ones may belong to a run that is writing right now), or all of them for a caller holding the lock.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".delivery.lock"
#: staging folders older than this belong to a run that died
STALE_STAGING_SECONDS = 24 * 3600


class OutboxLocked(RuntimeError):
    """Another delivery or export held the outbox lock for longer than the caller would wait."""


@contextmanager
def outbox_lock(outbox: Path, timeout: float, *,
                error: Callable[[str], Exception] = OutboxLocked) -> Iterator[Path]:
    """Hold `outbox/.delivery.lock` (created with the outbox when missing) for the block; yields the lock file.

    Waits at most `timeout` seconds for whoever holds it, then raises `error` (OutboxLocked, or the caller's own
    error class) with a message naming the lock file."""
    outbox = Path(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / LOCK_NAME
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise error(f"{outbox}: another delivery holds {path} (or a `shequyun export` into this outbox) for more "
                    f"than {timeout:g} s; try again when it is done") from exc
    try:
        yield path
    finally:
        lock.release()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this filesystem / kernel cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(a), None, str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(new: Path, target: Path, aside: Path) -> bool:
    """Put folder `new` at `target` in one step and remove the package it replaced. Returns True when one was replaced.

    `aside` is a free path in the caller's staging folder (same filesystem) where the old package passes on its way
    out: a run killed at that moment leaves it where the stale-staging clean-up finds it, never in the outbox."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(new, target)
        replaced = False
    else:
        if not target.is_dir():
            raise NotADirectoryError(f"{target} exists and is not a package folder")
        aside.parent.mkdir(parents=True, exist_ok=True)
        if _exchange(new, target):
            os.rename(new, aside)      # `new` now names the old package
        else:
            os.rename(target, aside)
            try:
                os.rename(new, target)
            except OSError:
                os.rename(aside, target)   # the old package back in place: nothing published, nothing lost
                raise
        replaced = True
    _fsync_dir(target.parent)
    if replaced:
        shutil.rmtree(aside, ignore_errors=True)
    return replaced


def remove_stale_staging(parent: Path, pattern: str, older_than: float = STALE_STAGING_SECONDS) -> list[Path]:
    """Remove the staging folders `parent/<pattern>` of runs that died; returns those removed.

    Only folders older than `older_than` seconds: fresh ones may belong to a run writing right now into the same
    folder. `older_than=0` removes them all, for a caller holding the outbox lock (nobody else is in there)."""
    removed = []
    now = time.time()
    for folder in parent.glob(pattern):
        try:
            if folder.is_dir() and (older_than <= 0 or now - folder.stat().st_mtime > older_than):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except FileNotFoundError:   # removed meanwhile by its own run
            continue
    return removed
