"""Deliver one period's ledgers to every committee: the outbox folder, a delivery log, and an e-mail.

    summary = deliver_period(database, outbox, "2026-11")           # monthly ledgers of November 2026
    summary.failures                                                   # committees that did not get it, and why

Why it is built this way:

* **Export into staging, then swap.** `exports.package.export_packages` writes every package into
  `outbox/.staging/<delivery_id>/` (inside the outbox, so on the same filesystem: a rename is atomic only within
  one filesystem; the dot keeps it out of anyone's listing). Each committee's finished folder then replaces
  `outbox/<district>/<street>/<committee>/<period>/` in one step through `exports.publish.swap_in`, the one swap
  `shequyun export` uses too: `renameat2(RENAME_EXCHANGE)` where Linux offers it (the folder never disappears),
  elsewhere old aside and new in (a moment with no folder, never a folder holding a mix of old and new files); the
  old package is then removed. A reader that already has an old file open keeps reading it.
* **One lock per outbox.** A scheduled run, a manual `shequyun deliver` and a `shequyun export` into the same outbox
  queue on `outbox/.delivery.lock` (`exports.publish.outbox_lock`) instead of interleaving; whatever a crashed
  delivery left in `.staging/` is removed by the next.
* **Append-only log.** Every committee of every delivery adds one JSON line to `outbox/_deliveries.jsonl`
  (period, committee, attempt, files, rows, manifest checksum, outcome, error, redelivery flag, time, `via`
  "deliver"), fsynced before the next committee: the log is the audit trail, readable with `duckdb.read_json`.
  `shequyun export` into the outbox logs its packages there too (`via` "export"); see exports.publish.
* **One committee's failure stops nobody else.** Export, outbox and mail errors of a committee are caught,
  logged and listed in the summary; the caller (the Dagster asset, the CLI) decides how loud to be.
  If the bulk export raises, the committees are bisected until the bad ones stand alone, so one bad committee
  cannot block the rest (and an export broken for everybody is reported once, not 6,000 times).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from exports import periods
from exports.delivery_mail import (
    Mailer,
    PackageMail,
    SmtpSettings,
    build_message,
    parse_address,
)
from exports.publish import (  # the delivery log lives in exports.publish: `shequyun export` writes it too
    DeliveryRecord,
    append_log,
    outbox_lock,
    package_files,
    previous_attempts,
    read_log,  # noqa: F401 - re-exported: readers of the log import it from here
    remove_stale_staging,
    swap_in,
)
from shequyun.core.lock import data_dir_lock

STAGING_NAME = ".staging"
#: the role of exports/config/export.yaml a delivery exports for: masked, one committee's own package
DELIVERY_ROLE = "committee_staff"

#: The exporter's call shape (contract 4): exports.package.export_packages.
Exporter = Callable[..., Any]


class DeliveryError(RuntimeError):
    """The delivery as a whole cannot start (bad period, unknown committee, outbox locked)."""


def frequency_of(period: str) -> str:
    """The frequency a period is written in: 2026-11 monthly, 2026-W48 weekly, 2026-Q4 quarterly, 2026 annual."""
    try:
        return periods.frequency_of(period)
    except ValueError as exc:
        raise DeliveryError(str(exc)) from None


def check_period(period: str, frequency: str | None) -> str:
    """The period's frequency; a DeliveryError when the period and the requested frequency disagree."""
    try:
        periods.check_period(period, frequency)
    except ValueError as exc:
        raise DeliveryError(str(exc)) from None
    return periods.frequency_of(period)


@dataclass(frozen=True)
class Committee:
    code: str
    name: str
    district_code: str
    street_code: str
    email: str | None


def load_committees(database: Path, codes: Sequence[str] | None = None) -> list[Committee]:
    """The committees (marts.dim_area, level 'committee') with their mailbox; unknown requested codes are an error."""
    if not Path(database).exists():
        raise DeliveryError(f"{database}: no thematic database (run the transform first)")
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select code, name, district_code, street_code, email from marts.dim_area "
            "where level = 'committee' order by code"
        ).fetchall()
    committees = [Committee(*(str(v) if v is not None else None for v in row)) for row in rows]  # type: ignore[arg-type]
    if codes:
        wanted = set(codes)
        unknown = sorted(wanted - {c.code for c in committees})
        if unknown:
            raise DeliveryError(f"unknown committee code(s) {', '.join(unknown)} (not in marts.dim_area)")
        committees = [c for c in committees if c.code in wanted]
    return committees


@dataclass
class DeliverySummary:
    """What a delivery did; `failures` lists the committees that did not get their package (or their mail)."""

    delivery_id: str
    period: str
    frequency: str
    outbox: Path
    records: list[DeliveryRecord]
    mail: str
    seconds: float = 0.0
    export_seconds: float = 0.0

    @property
    def delivered(self) -> list[DeliveryRecord]:
        return [r for r in self.records if r.outcome == "delivered"]

    @property
    def failures(self) -> list[DeliveryRecord]:
        return [r for r in self.records if r.outcome != "delivered"]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def packages(self) -> int:
        """Packages now in the outbox (also those whose mail failed)."""
        return sum(1 for r in self.records if r.folder is not None)

    @property
    def files(self) -> int:
        return sum(len(r.files) for r in self.records if r.folder is not None)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.records if r.folder is not None)

    @property
    def redeliveries(self) -> int:
        return sum(1 for r in self.records if r.redelivery)

    def mails(self, status: str) -> int:
        return sum(1 for r in self.records if r.mail == status)

    def render(self) -> str:
        lines = [
            (f"delivery {self.delivery_id}: {self.period} ({self.frequency}) to {len(self.delivered)} of "
            f"{len(self.records)} committees in {self.seconds:.1f} s (export {self.export_seconds:.1f} s)"),
            (f"  outbox {self.outbox}: {self.packages} packages ({self.redeliveries} replaced), {self.files} files, "
            f"{self.rows:,} rows"),
            (f"  mail: {self.mails('sent')} sent, {self.mails('skipped')} skipped, {self.mails('failed')} failed "
            f"- {self.mail}"),
        ]
        for r in self.failures:
            lines.append(f"  FAILED {r.committee_code} {r.committee_name} [{r.stage}] {r.error}")
        return "\n".join(lines)


# -- the outbox -------------------------------------------------------------------------------------------

def package_folder(outbox: Path, committee: Committee, period: str) -> Path:
    return outbox / committee.district_code / committee.street_code / committee.code / period


# -- the delivery -----------------------------------------------------------------------------------------

def _default_exporter() -> Exporter:
    from exports.package import export_packages

    return export_packages


def _whole_export_errors() -> tuple[type[BaseException], ...]:
    """Errors of the exporter that concern the export as a whole (no ledger table, no ledger of that frequency):
    retrying committee by committee would fail 6,000 times the same way."""
    from exports.catalogue import CatalogueError
    from exports.package import ExportError

    return (ExportError, CatalogueError)


def _export(exporter: Exporter, database: Path, staging: Path, period: str, frequency: str,
            committees: Sequence[Committee], restricted: bool, formats: Sequence[str] | None,
            ledgers: Sequence[str] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """Packages by committee code, and export errors by committee code.

    One export call for all committees. When it fails for a reason that is not the export's as a whole, the
    committees are bisected (breadth first) until the failing ones stand alone: one bad committee among 6,000 costs
    about 2 x log2(6,000) = 26 export calls, not 6,000. When every part of a level fails with one and the same
    error, the fault is the export's, not a committee's: DeliveryError (7 calls, nothing delivered)."""
    # formats=None: the formats of exports/config/export.yaml; masked, for the committee's own staff
    options: dict[str, Any] = {"frequency": frequency, "formats": tuple(formats) if formats else None,
                               "role": DELIVERY_ROLE}
    if ledgers:
        options["ledgers"] = list(ledgers)
    packages: dict[str, Any] = {}
    errors: dict[str, str] = {}
    level: list[list[str]] = [[c.code for c in committees]]
    calls = 0
    while level:
        failed: list[tuple[list[str], str]] = []
        for chunk in level:
            calls += 1
            # all committees unrestricted: committees=None (no 6,000-code filter in the exporter's queries)
            chosen = chunk if (restricted or calls > 1) else None
            try:
                summary = exporter(database, staging / f"export-{calls}", period, committees=chosen, **options)
            except _whole_export_errors() as exc:  # the export cannot run as asked: nobody can get anything
                raise DeliveryError(f"export of {period} failed: {exc}") from exc
            except Exception as exc:  # noqa: BLE001 - find the committee(s) that break it
                failed.append((chunk, f"{type(exc).__name__}: {exc}"))
                continue
            packages.update({p.committee_code: p for p in summary.packages})
        messages = {message for _, message in failed}
        every_part = len(failed) == len(level) and len(messages) == 1
        if every_part and (len(level) >= 4 or (len(level) > 1 and all(len(c) == 1 for c, _ in failed))):
            raise DeliveryError(f"export of {period} failed for every part of the committees alike "
                                f"({calls} tries): {messages.pop()}")
        level = []
        for chunk, message in failed:
            if len(chunk) == 1:
                errors[chunk[0]] = message
            else:
                middle = len(chunk) // 2
                level += [chunk[:middle], chunk[middle:]]
    return packages, errors


def deliver_period(
    database: Path,
    outbox: Path,
    period: str,
    *,
    frequency: str | None = None,
    committees: Sequence[str] | None = None,
    smtp: SmtpSettings | None = None,
    mail: bool = True,
    formats: Sequence[str] | None = None,
    ledgers: Sequence[str] | None = None,
    exporter: Exporter | None = None,
    lock_timeout: float = 3600.0,
    on_record: Callable[[DeliveryRecord], None] | None = None,
) -> DeliverySummary:
    """Export `period` for every committee (or those named), swap each package into the outbox, log it, mail it.

    `smtp` defaults to SmtpSettings.from_env(); mail is skipped (and reported so) when it has no host or
    `mail=False`. `exporter` defaults to exports.package.export_packages. Never raises for one committee's
    failure: see `DeliverySummary.failures`. Raises DeliveryError when nothing can be delivered at all.
    """
    started = time.perf_counter()
    database, outbox = Path(database), Path(outbox)
    frequency = check_period(period, frequency)
    scope = load_committees(database, committees)
    if not scope:
        raise DeliveryError(f"{database}: no committee in marts.dim_area")
    smtp = smtp if smtp is not None else SmtpSettings.from_env()
    send_mail = mail and smtp.enabled
    mail_note = smtp.describe() if mail else "mail off (not requested)"
    exporter = exporter or _default_exporter()
    delivery_id = uuid.uuid4().hex
    records: list[DeliveryRecord] = []
    staging = outbox / STAGING_NAME / delivery_id
    export_seconds = 0.0
    # a delivery holds the data directory (no ingest or build meanwhile), then the outbox
    with data_dir_lock(outbox.parent, "deliver", lock_timeout, error=DeliveryError), \
            outbox_lock(outbox, lock_timeout, error=DeliveryError):
        mailer = Mailer(smtp) if send_mail else None
        try:
            # leftovers of a crashed delivery (we hold the lock: nobody else is in there)
            remove_stale_staging(outbox, STAGING_NAME, older_than=0)
            staging.mkdir(parents=True)
            attempts = previous_attempts(outbox, period)
            t0 = time.perf_counter()
            packages, export_errors = _export(exporter, database, staging, period, frequency, scope,
                                              bool(committees), formats, ledgers)
            export_seconds = time.perf_counter() - t0
            for committee in scope:
                record = DeliveryRecord.start(delivery_id, period, frequency, committee,
                                              attempt=attempts.get(committee.code, 0) + 1)
                _deliver_one(record, committee, packages.get(committee.code), export_errors.get(committee.code),
                             outbox, staging, frequency, mailer, smtp)
                if record.mail == "skipped":
                    record.mail_note = mail_note
                append_log(outbox, record)
                records.append(record)
                if on_record is not None:
                    on_record(record)
        finally:
            if mailer is not None:
                mailer.close()
            shutil.rmtree(staging, ignore_errors=True)
    return DeliverySummary(delivery_id, period, frequency, outbox, records, mail_note,
                           seconds=time.perf_counter() - started, export_seconds=export_seconds)


def _deliver_one(record: DeliveryRecord, committee: Committee, package: Any, export_error: str | None,
                 outbox: Path, staging: Path, frequency: str, mailer: Mailer | None, smtp: SmtpSettings) -> None:
    """Outbox then mail for one committee; every failure lands in `record`, nothing propagates."""
    if export_error is not None:
        record.fail("export", export_error)
        return
    if package is None:
        record.fail("export", "the exporter wrote no package for this committee")
        return
    target = package_folder(outbox, committee, record.period)
    try:
        source = Path(package.folder)
        record.read_manifests(source, target)
        record.published(outbox, target, swap_in(source, target, staging / "replaced" / committee.code))
        record.rows = int(package.rows)
    except Exception as exc:  # noqa: BLE001 - disk errors, a file where the folder should be ...
        record.fail("outbox", exc)
        return

    if mailer is None:
        record.mail, record.outcome = "skipped", "delivered"
        return
    try:
        to = parse_address(committee.email)
        record.mail_to = str(to.addr_spec)
        message, record.attachment = build_message(
            PackageMail(committee.code, committee.name, record.period, frequency, target, package_files(target),
                        record.rows, record.manifest_sha256, record.delivery_id, record.redelivery),
            to, smtp.sender, smtp.max_attachment_bytes, smtp.max_attachments,
        )
        mailer.send(message)
    except Exception as exc:  # noqa: BLE001 - bad address, refusal, connection lost: this committee only
        record.mail = "failed"
        record.fail("mail", exc)
        return
    record.mail, record.outcome = "sent", "delivered"


def summary_rows(records: Iterable[DeliveryRecord]) -> list[dict[str, Any]]:
    """Records as plain dicts (for tables in run metadata and the CLI)."""
    return [asdict(r) for r in records]
