"""Committee packages: every ledger of the catalogue, per committee and period, into the outbox (contract 4).

    out_dir/<district_code>/<street_code>/<committee_code>/<period>/
        <ledger title>_<period>.xlsx | .csv | .parquet     one file per ledger and format
        manifest.json                                       ledger, title, rows, file, sha256, generated_at, data_as_of

How, and why so:
* The database is opened read-only (a build never writes the file exports read; several exports may run at once).
* Each ledger is read ONCE, masked in the query (shequyun/privacy/masking.py, DuckDB SQL) and ordered by committee, then
  split by committee in memory (polars partition_by): one query per ledger, not one per committee and ledger,
  which at 6,000 committees would be 6,000 scans of each table. Only one ledger is held in memory at a time.
* A committee's package is assembled under out_dir/.staging-<id>/ and moved into place when complete by
  exports.publish.swap_in, the one swap delivery uses too (an existing package of the same period is replaced as a
  whole, atomically), so a reader of the outbox never sees half a package. The staging folders of a dead run
  (killed) are removed by the next export: into the outbox at once (it holds the lock), elsewhere after a day.
* Into the delivery outbox (`outbox=`, what `shequyun export` passes when it writes there) an export holds the
  outbox lock of deliveries (exports.publish.outbox_lock) from before it opens the database until its last package
  is in place, and logs each package in outbox/_deliveries.jsonl like a delivery does, marked `via: "export"`.
  Elsewhere (an audit copy, a benchmark folder) it takes no lock and writes no log: that folder is nobody's
  delivery, and each package still arrives whole.
* A committee gets every selected ledger, also those where it has no rows (a header-only file: the committee
  files "none" for that period). Rows whose committee_code is empty or not a committee of marts.dim_area belong
  to no package; they are counted per ledger in the summary (`unassigned`), never dropped silently.
* scope: rollup ledgers give a committee its own `level = 'committee'` rows; street and district rows stay in
  the database for the street and district reports.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from exports.catalogue import FREQUENCIES, Ledger, built_ledgers, load_ledgers, select_ledgers
from exports.config import ExportConfig, UnmaskedNotAllowed, load_export_config
from exports.periods import check_period, frequency_of, period_for
from exports.publish import (
    MANIFEST_NAME,
    STALE_STAGING_SECONDS,
    DeliveryRecord,
    append_log,
    outbox_lock,
    previous_attempts,
    remove_stale_staging,
    swap_in,
)
from shequyun.core.build_info import BuildInfo, BuildInfoMissing, read_build_info
from shequyun.core.failpoints import failpoint
from shequyun.core.lock import data_dir_lock
from shequyun.files.writers import (
    FORMAT_SUFFIX,
    SheetContext,
    WrittenFile,
    display_frame,
    text_width,
    write_ledger_file,
)
from shequyun.privacy.masking import ID18_PATTERN, find_id_numbers, mask_sql

STAGING_PREFIX = ".staging-"
SCOPE_COLUMN = "__committee_code"
MOBILE_PATTERN = r"^(?:\+?86)?1[3-9]\d{9}$"
#: seconds an export into the outbox waits for a delivery (or another export) holding the outbox lock
DEFAULT_LOCK_TIMEOUT = 3600.0
#: mail_note of the log lines of an export
EXPORT_MAIL_NOTE = "shequyun export does not mail; `shequyun deliver` does"


class ExportError(RuntimeError):
    """The export cannot run as asked (no such ledger table, committee or period); nothing was published."""


@dataclass(frozen=True)
class Committee:
    code: str
    name: str
    district_code: str
    district_name: str
    street_code: str
    street_name: str

    def folder(self, out_dir: Path, period: str) -> Path:
        return out_dir / self.district_code / self.street_code / self.code / period


@dataclass(frozen=True)
class PackageResult:
    committee_code: str
    committee_name: str
    district_code: str
    street_code: str
    period: str
    folder: Path
    files: list[Path]
    rows: int
    manifest_path: Path
    bytes: int = 0


@dataclass
class ExportSummary:
    packages: list[PackageResult]
    seconds: float
    ledgers: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()
    period: str = ""
    data_as_of: str | None = None
    masking: str = "masked"
    out_dir: Path | None = None
    unassigned: dict[str, int] = field(default_factory=dict)
    # ledgers not exported because this deployment does not build them (short name -> why)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return sum(len(p.files) for p in self.packages)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.packages)

    @property
    def bytes(self) -> int:
        return sum(p.bytes for p in self.packages)

    def render(self) -> str:
        lines = [(f"exported {len(self.packages):,} packages, {self.files:,} files, {self.rows:,} rows "
                 f"({len(self.ledgers)} ledgers x {len(self.formats)} formats, period {self.period}, data as of "
                 f"{self.data_as_of or 'unknown'}, {self.masking}) in {self.seconds:,.1f} s, "
                 f"{self.bytes / 1e6:,.1f} MB into {self.out_dir}")]
        for ledger, rows in sorted(self.unassigned.items()):
            lines.append(f"  WARNING {ledger}: {rows:,} rows without a known committee_code are in no package")
        for ledger, why in sorted(self.skipped.items()):
            lines.append(f"  skipped {ledger}: {why}")
        return "\n".join(lines)


# --- the database -------------------------------------------------------------------------------------------


def connect_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    if not Path(database).exists():
        raise ExportError(f"no thematic database at {database}: run `shequyun run` (or `make demo`) first")
    return duckdb.connect(str(database), read_only=True)


def committees_of(con: duckdb.DuckDBPyConnection) -> list[Committee]:
    """Every committee of marts.dim_area with the codes and names of its street and district."""
    rows = con.sql("""
        select c.code, c.name, c.district_code, coalesce(d.name, c.district_code), c.street_code,
               coalesce(s.name, c.street_code)
        from marts.dim_area as c
        left join marts.dim_area as s on s.code = c.street_code and s.level = 'street'
        left join marts.dim_area as d on d.code = c.district_code and d.level = 'district'
        where c.level = 'committee'
        order by c.code
    """).fetchall()
    return [Committee(*row) for row in rows]


def database_build(source: duckdb.DuckDBPyConnection | Path) -> BuildInfo:
    """The database's build_info (as_of: the day the ledgers describe; built_at): ExportError when it has none."""
    try:
        return read_build_info(source)
    except BuildInfoMissing as exc:
        raise ExportError(str(exc)) from exc


def default_period(database: Path, frequency: str = "monthly") -> str:
    """The period of `frequency` holding the database's as_of day (build_info)."""
    return period_for(database_build(Path(database)).as_of, frequency)


def check_tables(con: duckdb.DuckDBPyConnection, ledgers: Sequence[Ledger], database: Path) -> None:
    """Every ledger's table exists with the columns its YAML lists (a stale database is an error, not a gap)."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute("select table_name, column_name from information_schema.columns "
                                     "where table_schema = 'reports'").fetchall():
        present.setdefault(table, set()).add(column)
    for ledger in ledgers:
        if ledger.model not in present:
            raise ExportError(f"{database} has no table {ledger.relation} (ledger {ledger.title}, {ledger.yaml_path}):"
                              " the database was built before this ledger; run `shequyun run` first")
        missing = [c for c in ledger.column_names if c not in present[ledger.model]]
        if missing:
            raise ExportError(f"{ledger.relation} in {database} lacks column(s) {', '.join(missing)} that "
                              f"{ledger.yaml_path} lists: rebuild the database")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ledger_query(ledger: Ledger, *, unmasked: bool = False, committees: Sequence[str] | None = None) -> str:
    """One select of the ledger: exported columns (pii masked unless `unmasked`), the scope committee, in order."""
    projections = []
    for column in ledger.exported_columns:
        ref = _quote(column.name)
        expr = mask_sql(column.pii, ref) if column.pii and not unmasked else ref
        projections.append(f"{expr} as {ref}")
    projections.append(f"committee_code as {SCOPE_COLUMN}")
    where = ["level = 'committee'"] if ledger.scope == "rollup" else []
    if committees is not None:
        codes = ", ".join("'" + c.replace("'", "''") + "'" for c in committees)
        where.append(f"committee_code in ({codes})")
    # the declared order, then every exported column: a total order over what the file shows, so that the same
    # rows always make the same bytes (rows tied on the declared columns used to come out in any order)
    order_by = list(dict.fromkeys([*(ledger.meta.get("order_by") or []), *(c.name for c in ledger.exported_columns)]))
    order = ", ".join(["committee_code", *(_quote(str(c)) for c in order_by)])
    return (f"select {', '.join(projections)} from {ledger.relation}"
            f"{' where ' + ' and '.join(where) if where else ''} order by {order}")


def check_no_full_id_numbers(ledger: Ledger, frame: pl.DataFrame) -> None:
    """Refuse a masked export in which a text column not declared pii still holds a full ID or mobile number.

    A vectorised shape test (polars regex) finds the few candidates; their check character is then verified, so an
    18-digit address code that merely looks like an ID does not stop the export."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String and name != SCOPE_COLUMN]
    if not text_columns or frame.height == 0:
        return
    hits = frame.select(pl.col(c).str.contains(ID18_PATTERN).any() for c in text_columns).row(0)
    for name, hit in zip(text_columns, hits, strict=True):
        if not hit:
            continue
        candidates = frame.filter(pl.col(name).str.contains(ID18_PATTERN))[name].to_list()
        if any(find_id_numbers(value) for value in candidates):
            raise ExportError(f"{ledger.relation}.{name} holds full ID numbers but is not declared "
                              f"`meta: {{pii: id_number}}` in {ledger.yaml_path}: masked export refused")
    phones = frame.select(pl.col(c).str.contains(MOBILE_PATTERN).any() for c in text_columns).row(0)
    for name, hit in zip(text_columns, phones, strict=True):
        if hit:
            raise ExportError(f"{ledger.relation}.{name} holds full mobile numbers but is not declared "
                              f"`meta: {{pii: phone}}` in {ledger.yaml_path}: masked export refused")


def _split(frame: pl.DataFrame) -> dict[str | None, pl.DataFrame]:
    """The frame's rows by committee, in their order, without the scope column."""
    return {key[0]: part.drop(SCOPE_COLUMN)
            for key, part in frame.partition_by(SCOPE_COLUMN, as_dict=True, maintain_order=True).items()}


def _widest_by_committee(shown: pl.DataFrame) -> dict[str | None, list[int | None]]:
    """The widest value of every exported column for every committee, measured in one pass over the ledger."""
    columns = [c for c in shown.columns if c != SCOPE_COLUMN]
    if not columns or shown.height == 0:
        return {}
    measured = shown.group_by(SCOPE_COLUMN).agg(text_width(pl.col(c).cast(pl.String)).max().alias(c) for c in columns)
    return {row[0]: list(row[1:]) for row in measured.select(SCOPE_COLUMN, *columns).iter_rows()}


# --- packages -----------------------------------------------------------------------------------------------


def _file_name(ledger: Ledger, period: str, fmt: str) -> str:
    label = "".join("_" if ch in '/\\:*?"<>|' or ch.isspace() else ch for ch in ledger.title)
    return f"{label}_{period}{FORMAT_SUFFIX[fmt]}"


def _context(ledger: Ledger, committee: Committee, period: str, as_of: date | None, unmasked: bool,
             generated_at: datetime) -> SheetContext:
    masking = "身份证号、电话等号码未脱敏（仅限授权角色）" if unmasked else "身份证号、电话等号码已脱敏"
    return SheetContext(
        title=ledger.title,
        committee_line=f"{committee.district_name} {committee.street_name} {committee.name}（{committee.code}）",
        period_line=(f"报告期：{period}　数据截至：{as_of.isoformat() if as_of else '未知'}　"
                     f"填报：{ledger.filed_by or committee.name}　{masking}"),
        generated_at=generated_at,
    )


@dataclass(frozen=True)
class LedgerJob:
    """Everything a (worker) process needs to write one ledger for every target committee. Picklable."""

    database: Path
    ledger: Ledger
    targets: tuple[Committee, ...]
    known_codes: frozenset[str]
    filter_committees: bool
    staging: Path
    period: str
    formats: tuple[str, ...]
    unmasked: bool
    as_of: date | None
    generated_at: datetime
    max_width: int


@dataclass(frozen=True)
class LedgerOutcome:
    model: str
    entries: dict[str, list[dict[str, object]]]   # committee code -> manifest entries, in format order
    unassigned: int
    seconds: float


def export_ledger(job: LedgerJob, con: duckdb.DuckDBPyConnection | None = None) -> LedgerOutcome:
    """Read one ledger once (masked in SQL), split it by committee, write its files into every staged package."""
    started = time.perf_counter()
    ledger = job.ledger
    own = con is None
    con = con or connect_read_only(job.database)
    try:
        frame = con.sql(ledger_query(ledger, unmasked=job.unmasked,
                                     committees=[c.code for c in job.targets] if job.filter_committees else None)).pl()
    finally:
        if own:
            con.close()
    if not job.unmasked:
        check_no_full_id_numbers(ledger, frame)
    widest = _widest_by_committee(display_frame(frame))   # one pass; the display copy is dropped at once
    parts = _split(frame)
    stray = sum(part.height for code, part in parts.items() if code not in job.known_codes)
    empty = frame.drop(SCOPE_COLUMN).clear()
    del frame
    headers = [c.header for c in ledger.exported_columns]
    masking = "unmasked" if job.unmasked else "masked"
    entries: dict[str, list[dict[str, object]]] = {}
    for committee in job.targets:
        part = parts.pop(committee.code, empty)        # released once written: memory stays ~2x the ledger
        shown = display_frame(part) if "xlsx" in job.formats or "csv" in job.formats else None
        context = _context(ledger, committee, job.period, job.as_of, job.unmasked, job.generated_at)
        metadata = {"ledger": ledger.name, "title": ledger.title, "committee_code": committee.code,
                    "committee_name": committee.name, "period": job.period, "masking": masking,
                    "data_as_of": job.as_of.isoformat() if job.as_of else ""}
        folder = committee.folder(job.staging, job.period)
        written_here = []
        for fmt in job.formats:
            written = write_ledger_file(fmt, folder / _file_name(ledger, job.period, fmt), part, headers, context,
                                        metadata=metadata, max_width=job.max_width,
                                        shown=shown, widest=widest.get(committee.code))
            written_here.append(_entry(ledger, written))
        entries[committee.code] = written_here
    return LedgerOutcome(ledger.model, entries, stray, time.perf_counter() - started)


def default_workers() -> int:
    """Worker processes for an export: $SHEQUYUN_EXPORT_WORKERS, else the CPU count, at most 4 (each holds one
    ledger, about twice its size in memory, and the largest ledgers are started first)."""
    configured = os.environ.get("SHEQUYUN_EXPORT_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def _run_jobs(jobs: list[LedgerJob], con: duckdb.DuckDBPyConnection, workers: int) -> list[LedgerOutcome]:
    """Ledger jobs in this process (workers <= 1) or in a pool of processes, largest ledger first.

    Writing the files (xlsx, csv, parquet, each a few ms of fixed cost per file) dominates an export; processes
    share it out. Each ledger is still read once, by the process that writes it, from its own read-only connection."""
    if workers <= 1 or len(jobs) <= 1 or multiprocessing.current_process().daemon:   # a daemon may not fork
        return [export_ledger(job, con) for job in jobs]
    sizes = {job.ledger.model: con.sql(f"select count(*) from {job.ledger.relation}").fetchone()[0] for job in jobs}
    ordered = sorted(jobs, key=lambda job: -sizes[job.ledger.model])
    context = multiprocessing.get_context("spawn")   # no fork: DuckDB and polars hold threads
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        outcomes = list(pool.map(export_ledger, ordered))
    by_model = {o.model: o for o in outcomes}
    return [by_model[job.ledger.model] for job in jobs]


def export_packages(database: Path, out_dir: Path, period: str, *, frequency: str | None = None,
                    ledgers: Sequence[str] | None = None, committees: Sequence[str] | None = None,
                    unmasked: bool = False, formats: Sequence[str] | None = ("xlsx", "csv", "parquet"),
                    role: str | None = None, config: ExportConfig | None = None,
                    project_dir: Path | None = None, generated_at: datetime | None = None,
                    workers: int | None = None, outbox: Path | None = None,
                    lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> ExportSummary:
    """Write one package per committee (all committees of marts.dim_area unless `committees`) for `period`.

    `ledgers` are model or short names (default: every ledger, of `frequency` when given). `unmasked=True` needs a
    `role` that exports/config/export.yaml allows (else UnmaskedNotAllowed). `formats=None` uses the configured
    formats. `workers`: processes writing files (default: default_workers()). `outbox`: the delivery outbox that
    `out_dir` is (or lies in); the export then holds its lock (waiting at most `lock_timeout` seconds for a delivery
    or another export, else ExportError) and logs each package in its _deliveries.jsonl (via "export"); an unmasked
    export into an outbox is refused. Raises ExportError / CatalogueError before anything is published when the
    request cannot be met."""
    started = time.perf_counter()
    config = config or load_export_config()
    config.authorise(unmasked, role)
    if unmasked and outbox is not None:
        raise UnmaskedNotAllowed(f"an unmasked export may not go into the outbox {outbox} (it is delivered to "
                                 "committees)")
    chosen_formats = config.check_formats(list(formats) if formats is not None else list(config.formats))
    try:
        check_period(period, frequency)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    chosen, skipped = _built(select_ledgers(load_ledgers(project_dir), ledgers, frequency), ledgers)
    if not chosen:
        raise ExportError(f"no ledgers to export{' of frequency ' + frequency if frequency else ''} "
                          "(none under dbt_project/models/reports/ledgers/, or none built in this deployment)")
    database = Path(database)
    out_dir = Path(out_dir)
    generated_at = (generated_at or datetime.now(UTC)).replace(microsecond=0)
    masking = "unmasked" if unmasked else "masked"
    publishing = outbox_lock(outbox, lock_timeout, error=ExportError) if outbox is not None else nullcontext()
    # exporting into a data directory's outbox also holds the data directory (no ingest or build meanwhile)
    holding = (data_dir_lock(outbox.parent, "export", lock_timeout, error=ExportError) if outbox is not None
               else nullcontext())

    with holding, publishing, connect_read_only(database) as con:
        check_tables(con, chosen, database)
        known = committees_of(con)
        by_code = {c.code: c for c in known}
        if committees:
            unknown = [c for c in dict.fromkeys(committees) if c not in by_code]
            if unknown:
                raise ExportError(f"unknown committee code(s) {', '.join(unknown)} (not a committee of marts.dim_area "
                                  f"in {database})")
            targets = [by_code[c] for c in dict.fromkeys(committees)]
        else:
            targets = known
        build = database_build(con)
        as_of, built_at = build.as_of, build.built_at.astimezone(UTC)

        out_dir.mkdir(parents=True, exist_ok=True)
        # holding the outbox lock, no other export writes here: every staging folder is a dead run's (a kill -9)
        remove_stale_staging(out_dir, f"{STAGING_PREFIX}*", 0 if outbox is not None else STALE_STAGING_SECONDS)
        staging = out_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        try:
            for committee in targets:
                committee.folder(staging, period).mkdir(parents=True)
            jobs = [LedgerJob(database=database, ledger=ledger, targets=tuple(targets), known_codes=frozenset(by_code),
                              filter_committees=bool(committees), staging=staging, period=period,
                              formats=chosen_formats, unmasked=unmasked, as_of=as_of, generated_at=generated_at,
                              max_width=config.max_column_width) for ledger in chosen]
            outcomes = _run_jobs(jobs, con, default_workers() if workers is None else workers)
            failpoint("export.files_staged")
            unassigned = {o.model.removeprefix("rpt_ledger__"): o.unassigned for o in outcomes if o.unassigned}
            log = OutboxLog(outbox, period, frequency or frequency_of(period)) if outbox is not None else None
            results = []
            for committee in targets:
                files = [entry for outcome in outcomes for entry in outcome.entries[committee.code]]
                results.append(_finish_package(committee, staging, out_dir, period, files,
                                               frequency=frequency, generated_at=generated_at, as_of=as_of,
                                               built_at=built_at, database=database, masking=masking, role=role,
                                               log=log, stale_sources=build.stale_sources))
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    return ExportSummary(packages=results, seconds=time.perf_counter() - started, ledgers=[led.name for led in chosen],
                         formats=chosen_formats, period=period, data_as_of=as_of.isoformat() if as_of else None,
                         masking=masking, out_dir=out_dir, unassigned=unassigned, skipped=skipped)


def _built(chosen: list[Ledger], named: Sequence[str] | None) -> tuple[list[Ledger], dict[str, str]]:
    """The chosen ledgers this deployment builds, and the skipped ones with the reason (exports.catalogue.built_ledgers);
    a ledger asked for by name that is not built is an error."""
    built, skipped = built_ledgers(chosen)
    if named and skipped:
        raise ExportError("; ".join(f"ledger {name} is {why}" for name, why in sorted(skipped.items())))
    return built, skipped


def export_every_frequency(database: Path, out_dir: Path, *, ledgers: Sequence[str] | None = None,
                           project_dir: Path | None = None, **options: object) -> ExportSummary:
    """Every ledger into the period of its own frequency (monthly ledgers into 2026-11, weekly ones into 2026-W44
    ...), each period from the database's as_of; one combined summary. `options` go to export_packages."""
    started = time.perf_counter()
    chosen, skipped = _built(select_ledgers(load_ledgers(project_dir), ledgers), ledgers)
    if not chosen:
        raise ExportError("no ledgers to export (none under dbt_project/models/reports/ledgers/, or none built in this "
                          "deployment)")
    day = database_build(Path(database)).as_of
    summaries = []
    for frequency in [f for f in FREQUENCIES if any(led.frequency == f for led in chosen)]:
        names = [led.model for led in chosen if led.frequency == frequency]
        summaries.append(export_packages(database, out_dir, period_for(day, frequency), frequency=frequency,
                                         ledgers=names, project_dir=project_dir, **options))  # type: ignore[arg-type]
    first = summaries[0]
    return ExportSummary(packages=[p for s in summaries for p in s.packages], seconds=time.perf_counter() - started,
                         ledgers=[n for s in summaries for n in s.ledgers], formats=first.formats,
                         period=", ".join(s.period for s in summaries), data_as_of=first.data_as_of,
                         masking=first.masking, out_dir=first.out_dir,
                         unassigned={k: v for s in summaries for k, v in s.unassigned.items()}, skipped=skipped)


@dataclass
class OutboxLog:
    """The delivery log of the outbox an export publishes into: one line per package, shaped like a delivery's
    (exports.publish.DeliveryRecord), with via "export", outcome "delivered" (the package is in the outbox) and mail
    "skipped". Made while the export holds the outbox lock."""

    outbox: Path
    period: str
    frequency: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.attempts = previous_attempts(self.outbox, self.period)

    def publish(self, committee: Committee, staged: Path, final: Path, aside: Path, *, rows: int) -> None:
        """swap_in the staged package at `final`, then log it."""
        record = DeliveryRecord.start(self.run_id, self.period, self.frequency, committee,
                                      attempt=self.attempts.get(committee.code, 0) + 1, via="export")
        record.read_manifests(staged, final)
        record.published(self.outbox, final, swap_in(staged, final, aside))
        failpoint("export.package.swapped_in")
        record.rows, record.outcome, record.mail, record.mail_note = rows, "delivered", "skipped", EXPORT_MAIL_NOTE
        append_log(self.outbox, record)
        failpoint("export.package.logged")


def _entry(ledger: Ledger, written: WrittenFile) -> dict[str, object]:
    return {"ledger": ledger.name, "model": ledger.model, "title": ledger.title, "frequency": ledger.frequency,
            "format": written.format, "file": written.path.name, "rows": written.rows, "bytes": written.bytes,
            "sha256": written.sha256}


def _finish_package(committee: Committee, staging: Path, out_dir: Path, period: str, files: list[dict[str, object]],
                    *, frequency: str | None, generated_at: datetime, as_of: date | None, built_at: datetime,
                    database: Path, masking: str, role: str | None, log: OutboxLog | None,
                    stale_sources: list[dict[str, Any]] | None = None) -> PackageResult:
    staged = committee.folder(staging, period)
    rows_by_ledger = {str(f["ledger"]): int(f["rows"]) for f in files}  # type: ignore[call-overload]
    manifest = {
        "committee_code": committee.code, "committee_name": committee.name,
        "district_code": committee.district_code, "district_name": committee.district_name,
        "street_code": committee.street_code, "street_name": committee.street_name,
        "period": period, "frequency": frequency,
        "generated_at": generated_at.isoformat(), "data_as_of": as_of.isoformat() if as_of else None,
        "database": database.name, "database_built_at": built_at.replace(microsecond=0).isoformat(),
        "masking": masking, "role": role,
        # systems whose last load failed: the ledgers hold their last good data (build_info stale)
        "stale_sources": list(stale_sources or []),
        "ledgers": len(rows_by_ledger), "rows": sum(rows_by_ledger.values()),
        "files": files,
    }
    (staged / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    failpoint("export.package.manifest_written")
    final = committee.folder(out_dir, period)
    aside = staging / "replaced" / committee.code
    if log is None:
        swap_in(staged, final, aside)
    else:
        log.publish(committee, staged, final, aside, rows=int(manifest["rows"]))  # type: ignore[call-overload]
    return PackageResult(committee_code=committee.code, committee_name=committee.name,
                         district_code=committee.district_code, street_code=committee.street_code, period=period,
                         folder=final, files=[final / str(f["file"]) for f in files],
                         rows=int(manifest["rows"]), manifest_path=final / MANIFEST_NAME,  # type: ignore[arg-type]
                         bytes=sum(int(f["bytes"]) for f in files))  # type: ignore[call-overload]
