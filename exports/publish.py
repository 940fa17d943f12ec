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
* **One log per outbox.** Every package put into an outbox adds one JSON line (a `DeliveryRecord`) to
  `outbox/_deliveries.jsonl`, fsynced before the next: `via` says who put it there, `"deliver"` (a delivery, which
  also logs the committees it failed) or `"export"` (`shequyun export`, which mails nobody: mail `"skipped"`, the
  reason in `mail_note`). Lines written before `via` existed are deliveries. `attempt` numbers the lines of one
  committee and period, whoever wrote them.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock, Timeout

from shequyun.core.failpoints import failpoint
from shequyun.core.warehouse import fsync_path
from shequyun.files.writers import sha256_of

LOCK_NAME = ".delivery.lock"
LOG_NAME = "_deliveries.jsonl"
MANIFEST_NAME = "manifest.json"
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
            failpoint("publish.swap.exchanged")
            os.rename(new, aside)      # `new` now names the old package
        else:
            os.rename(target, aside)
            try:
                os.rename(new, target)
            except OSError:
                os.rename(aside, target)   # the old package back in place: nothing published, nothing lost
                raise
        replaced = True
    fsync_path(target.parent)
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


# -- the delivery log -------------------------------------------------------------------------------------

class LoggedCommittee(Protocol):
    """What a log line names of a committee (exports.package.Committee and exports.delivery.Committee both have it)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def district_code(self) -> str: ...
    @property
    def street_code(self) -> str: ...


@dataclass
class DeliveryRecord:
    """One committee in one delivery (or one `shequyun export` into the outbox): exactly one line of the log."""

    delivery_id: str                   # the run: one delivery, or one export call
    period: str
    frequency: str
    committee_code: str
    committee_name: str
    district_code: str
    street_code: str
    attempt: int
    via: str = "deliver"               # who put the package there: deliver | export
    redelivery: bool = False           # an older package of the period was replaced
    folder: str | None = None
    files: list[str] = field(default_factory=list)
    rows: int = 0
    manifest_sha256: str | None = None
    replaced_manifest_sha256: str | None = None
    data_as_of: str | None = None            # from the manifest: the day the database describes
    database_built_at: str | None = None     # from the manifest: when that database was built
    outcome: str = "failed"            # delivered | failed
    stage: str | None = None           # where it failed: export | outbox | mail
    mail: str = "not_attempted"        # sent | skipped | failed | not_attempted
    mail_note: str | None = None       # why mail was skipped
    mail_to: str | None = None
    attachment: str | None = None      # files | zip | none
    error: str | None = None
    delivered_at: str | None = None

    @classmethod
    def start(cls, delivery_id: str, period: str, frequency: str, committee: LoggedCommittee, attempt: int,
              via: str = "deliver") -> DeliveryRecord:
        return cls(delivery_id=delivery_id, period=period, frequency=frequency, committee_code=committee.code,
                   committee_name=committee.name, district_code=committee.district_code,
                   street_code=committee.street_code, attempt=attempt, via=via)

    def fail(self, stage: str, exc: BaseException | str) -> None:
        self.outcome, self.stage = "failed", stage
        self.error = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"

    def read_manifests(self, new: Path, target: Path) -> None:
        """Checksum and data facts of package `new`, before it replaces what is at `target` (and that one's checksum)."""
        manifest = new / MANIFEST_NAME
        if not manifest.is_file():
            raise FileNotFoundError(f"{manifest}: package without {MANIFEST_NAME}")
        self.manifest_sha256 = sha256_of(manifest)
        facts = json.loads(manifest.read_text(encoding="utf-8"))
        self.data_as_of, self.database_built_at = facts.get("data_as_of"), facts.get("database_built_at")
        old_manifest = target / MANIFEST_NAME
        if old_manifest.is_file():
            self.replaced_manifest_sha256 = sha256_of(old_manifest)

    def published(self, outbox: Path, target: Path, replaced: bool) -> None:
        """The package is now at `target` (swap_in's answer in `replaced`)."""
        self.redelivery = replaced
        self.folder = str(target.relative_to(outbox))
        self.files = [p.name for p in package_files(target)]


def package_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def delivery_log(outbox: Path) -> Path:
    return outbox / LOG_NAME


def read_log(outbox: Path) -> list[dict[str, Any]]:
    """Every line of the delivery log, oldest first."""
    path = delivery_log(outbox)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def previous_attempts(outbox: Path, period: str) -> dict[str, int]:
    """Lines of the log per committee for `period` (deliveries and exports alike)."""
    counts: dict[str, int] = {}
    needle = json.dumps(period)
    path = delivery_log(outbox)
    if not path.exists():
        return counts
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if needle not in line:
                continue
            entry = json.loads(line)
            if entry.get("period") == period:
                counts[entry["committee_code"]] = counts.get(entry["committee_code"], 0) + 1
    return counts


def append_log(outbox: Path, record: DeliveryRecord) -> None:
    """One line for `record`, stamped `delivered_at` now, on disk (fsynced) before this returns."""
    record.delivered_at = datetime.now(UTC).isoformat(timespec="seconds")
    with delivery_log(outbox).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(record), ensure_ascii=False, sort_keys=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
