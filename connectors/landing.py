"""Landing: read a system's sources and append them, losing nothing, to the bronze Delta layer.

For each file matching the system's glob (or the new rows of its table):

1. skip it when a file with the same sha256 was landed before (receipt `skipped_duplicate`);
2. read it with the format's reader (`connectors.base`), every value a string as read;
3. map source headers to canonical names (unmapped extra columns keep their header, with a warning; a
   missing optional column lands as null, with a warning; a missing required column fails the file);
4. quarantine rows that cannot be landed (unparseable lines, a required field empty, a NUL byte or another
   control character in a value, a value longer than its kind allows), keep the others;
5. append quarantine, then bronze, then the receipt. A crash between the writes is repaired at the start
   of the next load (`_recover_unfinished`), so a source is never landed twice.

6. rows already landed by an earlier delivery (the same row hash in the system's bronze table: a file delivered
   again under another name, or with a trailing newline more) are not landed again; the receipt counts them.

rows_read = rows_landed + rows_quarantined + rows_redelivered, for every receipt.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from connectors import store
from connectors.base import REJECT_SCHEMA, FileReader, RawBatch, TableReader, get_reader
from connectors.config import SourceConfig
from connectors.db_common import source_name
from connectors.errors import ConfigError, SourceError
from connectors.lineage import hash_of_hashes, row_hashes
from shequyun.core.diskspace import disk_full_message, is_disk_full
from shequyun.core.lock import data_dir_lock
from shequyun.core.settings import Paths, lock_timeout

__all__ = ["LoadReceipt", "SystemLoadResult", "file_checksum", "load_system", "map_and_check", "matching_files",
           "pending_files", "read_receipts"]

log = logging.getLogger(__name__)

LANDED, SKIPPED, FAILED, NO_NEW_ROWS = "landed", "skipped_duplicate", "failed", "no_new_rows"


@dataclass
class LoadReceipt:
    batch_id: str
    system: str
    source: str  # file path relative to landing/ (as truth/source_records.source), or table name
    checksum: str  # sha256 of the file; for a database batch, sha256 of its row hashes
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    status: str  # 'landed' | 'skipped_duplicate' | 'failed' | 'no_new_rows'
    started_at: datetime
    finished_at: datetime
    cursor_from: str | None
    cursor_to: str | None
    header: list[str]
    message: str
    rows_redelivered: int = 0  # rows already in bronze (same row hash) from an earlier delivery: not landed again


@dataclass
class SystemLoadResult:
    system: str
    receipts: list[LoadReceipt] = field(default_factory=list)
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    rows_redelivered: int = 0
    files_skipped: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# -- public API ----------------------------------------------------------------------------------------


def load_system(cfg: SourceConfig, paths: Paths, *, progress: bool = False) -> SystemLoadResult:
    """Land every new source of one system into paths.bronze/<system>. Never raises for bad data: a
    structurally unreadable source records a `failed` receipt and goes to `failures`."""
    with data_dir_lock(paths, f"ingest {cfg.system}", timeout=lock_timeout()):
        try:
            return _load_system(cfg, paths, progress=progress)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            # not even a `failed` receipt could be written: what landed without its receipt is undone by the next
            # load (_recover_unfinished), as after a crash between the two writes
            raise SourceError(cfg.system, "lake", disk_full_message(paths.lake)) from exc


def _load_system(cfg: SourceConfig, paths: Paths, *, progress: bool) -> SystemLoadResult:
    t0 = time.perf_counter()
    result = SystemLoadResult(cfg.system)
    result.warnings.extend(_recover_unfinished(cfg, paths))
    reader = get_reader(cfg.format)
    if isinstance(reader, TableReader) and not isinstance(reader, FileReader):
        _load_table(cfg, paths, reader, result)
    elif isinstance(reader, FileReader):
        _load_files(cfg, paths, reader, result, progress=progress)
    else:
        raise TypeError(f"reader for {cfg.format!r} has neither read_file nor read_table")
    result.seconds = time.perf_counter() - t0
    log.info(
        "%s: read %d, landed %d, quarantined %d, skipped %d files, %d failures in %.1f s",
        cfg.system, result.rows_read, result.rows_landed, result.rows_quarantined,
        result.files_skipped, len(result.failures), result.seconds,
    )
    return result


def read_receipts(paths: Paths, system: str | None = None) -> pl.DataFrame:
    """All receipts (optionally of one system), oldest first."""
    df = store.read_columns(paths.receipts, store.RECEIPT_SCHEMA.names)
    if df is None:
        return pl.from_arrow(store.RECEIPT_SCHEMA.empty_table())  # type: ignore[return-value]
    if system is not None:
        df = df.filter(pl.col("system") == system)
    return df.sort("started_at", "finished_at")


def pending_files(cfg: SourceConfig, paths: Paths) -> list[Path]:
    """Files matching the system's glob whose content (sha256) has not been landed yet."""
    if cfg.is_database or not cfg.path:
        return []
    landed = _landed_checksums(paths, cfg.system)
    return [f for f in matching_files(cfg, paths) if file_checksum(f) not in landed]


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


# -- files ---------------------------------------------------------------------------------------------


def matching_files(cfg: SourceConfig, paths: Paths) -> list[Path]:
    """Files under landing/ matching the system's glob, sorted; hidden files and Office lock files
    (`.x`, `~$x.xlsx`) excluded. Empty for database systems."""
    if cfg.is_database or not cfg.path:
        return []
    return sorted(p for p in paths.landing.glob(cfg.path) if p.is_file() and not p.name.startswith((".", "~$")))


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _load_files(
    cfg: SourceConfig, paths: Paths, reader: FileReader, result: SystemLoadResult, *, progress: bool
) -> None:
    files = matching_files(cfg, paths)
    if not files:
        now = _now()
        err = SourceError(
            cfg.system, f"landing/{cfg.path}",
            f"no file matches the pattern {cfg.path!r} under {paths.landing} (configured in {cfg.config_file.name})",
        )
        _finish(paths, result, _receipt(cfg, str(cfg.path), "", FAILED, now, message=err.reason), error=err)
        return
    landed = _landed_checksums(paths, cfg.system)
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc=cfg.system, unit="file")
    for path in iterator:
        started = _now()
        source, display = _rel(path, paths.landing), _rel(path, paths.root)
        checksum = file_checksum(path)
        if checksum in landed:
            first = landed[checksum]
            receipt = _receipt(
                cfg, source, checksum, SKIPPED, started,
                message=f"same content (sha256) already landed as {first}",
            )
            result.files_skipped += 1
            _finish(paths, result, receipt)
            continue
        batch_id = uuid.uuid4().hex
        try:
            batch = reader.read_file(cfg, path, source=source, display=display)
            batch.checksum = checksum
            receipt = _land(cfg, paths, batch, batch_id=batch_id, started=started, display=display, result=result)
        except SourceError as err:
            _finish(paths, result, _receipt(cfg, source, checksum, FAILED, started, batch_id=batch_id, message=str(err)), error=err)
            continue
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the system's other files
            err = _unexpected(cfg, display, exc, paths)
            _finish(paths, result, _receipt(cfg, source, checksum, FAILED, started, batch_id=batch_id, message=str(err)), error=err)
            continue
        landed[checksum] = source
        _finish(paths, result, receipt)


# -- tables --------------------------------------------------------------------------------------------


def _load_table(cfg: SourceConfig, paths: Paths, reader: TableReader, result: SystemLoadResult) -> None:
    started = _now()
    source = source_name(cfg)
    cursor_from = _last_cursor(paths, cfg.system, source)
    batch_id = uuid.uuid4().hex
    try:
        batch = reader.read_table(cfg, cursor_from=cursor_from)
        behind = _rows_behind_the_cursor(cfg, paths, source, batch)
        if behind:
            batch.warnings.append(behind)
        if batch.data.num_rows == 0 and batch.rejects.num_rows == 0:
            message = f"no rows with {cfg.cursor} > {cursor_from!r}" if cursor_from is not None else "the table is empty"
            receipt = _receipt(
                cfg, source, "", NO_NEW_ROWS, started, cursor_from=cursor_from, cursor_to=cursor_from,
                header=batch.header, message=message + (f"; warnings: {behind}" if behind else ""),
            )
            result.warnings.extend(batch.warnings)
            _finish(paths, result, receipt)
            return
        hashes = row_hashes(batch.data)
        batch.checksum = hash_of_hashes(hashes)
        receipt = _land(cfg, paths, batch, batch_id=batch_id, started=started, display=source, result=result,
                        hashes=hashes)
    except SourceError as err:
        _finish(paths, result, _receipt(cfg, source, "", FAILED, started, batch_id=batch_id,
                                        cursor_from=cursor_from, message=str(err)), error=err)
        return
    except Exception as exc:  # noqa: BLE001
        err = _unexpected(cfg, source, exc, paths)
        _finish(paths, result, _receipt(cfg, source, "", FAILED, started, batch_id=batch_id,
                                        cursor_from=cursor_from, message=str(err)), error=err)
        return
    _finish(paths, result, receipt)


def _rows_behind_the_cursor(cfg: SourceConfig, paths: Paths, source: str, batch: RawBatch) -> str:
    """A warning when the table holds more rows at or below the previous load's cursor (or without a cursor value)
    than all earlier loads of it ever read: rows written late, behind the cursor, that an incremental load never
    reads. Empty when none (or on a first load)."""
    if batch.rows_behind is None or not store.exists(paths.receipts):
        return ""
    receipts = read_receipts(paths, cfg.system)
    read_before = int(receipts.filter((pl.col("source") == source) & (pl.col("status") == LANDED))
                      ["rows_read"].sum() or 0)
    missing = batch.rows_behind - read_before
    if missing <= 0:
        return ""
    return (f"{source}: at least {missing:,} row(s) with {cfg.cursor} <= {batch.cursor_from!r} or no {cfg.cursor} "
            f"were never read: written after an earlier load with an older cursor value (behind the cursor); an "
            f"incremental load cannot see them - reload the table in full to land them")


# -- one batch -----------------------------------------------------------------------------------------


def _land(
    cfg: SourceConfig, paths: Paths, batch: RawBatch, *, batch_id: str, started: datetime, display: str,
    result: SystemLoadResult, hashes: pa.Array | None = None,
) -> LoadReceipt:
    warnings = list(batch.warnings)
    mapped, _, keep, required_rejects = map_and_check(cfg, batch, display, warnings)
    loaded_at = pa.scalar(started, store.TS)

    if hashes is None:
        hashes = row_hashes(batch.data)
    keep, redelivered = _not_landed_before(paths.bronze / cfg.system, hashes, keep)
    filtering = bool(required_rejects.num_rows or redelivered)
    data = mapped.filter(keep) if filtering else mapped
    kept_hashes = hashes.filter(keep) if filtering else hashes
    row_numbers = batch.row_numbers.filter(keep) if filtering else batch.row_numbers
    n = data.num_rows
    bronze = data
    for name, column in (
        ("_system", pa.repeat(cfg.system, n).cast(pa.string())),
        ("_source", pa.repeat(batch.source, n).cast(pa.string())),
        ("_row_number", row_numbers.cast(pa.int64())),
        ("_batch_id", pa.repeat(batch_id, n).cast(pa.string())),
        ("_loaded_at", pa.repeat(loaded_at, n)),
        ("_row_hash", kept_hashes),
        ("_source_checksum", pa.repeat(batch.checksum, n).cast(pa.string())),
    ):
        bronze = bronze.append_column(name, column)

    rejects = pa.concat_tables([batch.rejects.cast(REJECT_SCHEMA), required_rejects]).sort_by("_row_number")
    q = rejects.num_rows
    quarantine = pa.table(
        {
            "_system": pa.repeat(cfg.system, q).cast(pa.string()),
            "_source": pa.repeat(batch.source, q).cast(pa.string()),
            "_row_number": rejects.column("_row_number"),
            "_batch_id": pa.repeat(batch_id, q).cast(pa.string()),
            "_loaded_at": pa.repeat(loaded_at, q),
            "reason": rejects.column("reason"),
            "field": rejects.column("field"),
            "raw": rejects.column("raw"),
            "_source_checksum": pa.repeat(batch.checksum, q).cast(pa.string()),
        },
        schema=store.QUARANTINE_SCHEMA,
    )

    # quarantine first, then bronze, then the receipt (see _recover_unfinished)
    if q:
        store.append(paths.quarantine / cfg.system, quarantine)
    bronze_path = paths.bronze / cfg.system
    if n or not store.exists(bronze_path):
        store.append(bronze_path, bronze)

    duplicates = n - pl.from_arrow(kept_hashes).n_unique() if n else 0  # polars: ~5x faster than Arrow here
    repeated_keys = _repeated_keys(cfg, data, kept_hashes, row_numbers)
    if repeated_keys:
        warnings.append(f"{display}: {repeated_keys}")
    parts = [f"landed {n} rows"]
    if q:
        reasons = pl.from_arrow(rejects.select(["reason"])).group_by("reason").len().sort("len", descending=True)
        parts.append(
            f"quarantined {q} ("
            + "; ".join(f"{r['len']}× {r['reason']}" for r in reasons.head(5).iter_rows(named=True))
            + (")" if reasons.height <= 5 else "; ...)")
        )
    if duplicates:
        parts.append(f"{duplicates} exact duplicate rows (landed; dedup is downstream)")
    if redelivered:
        parts.append(f"{redelivered} rows already landed by an earlier delivery (same row hash: not landed again)")
    if n == 0 and q == 0 and not redelivered:
        parts.append("no data rows")
        warnings.append(f"{display}: no data rows")
    if warnings:
        parts.append("warnings: " + " | ".join(warnings))
    result.warnings.extend(warnings)
    return _receipt(
        cfg, batch.source, batch.checksum, LANDED, started, batch_id=batch_id, rows_read=n + q + redelivered,
        rows_landed=n, rows_quarantined=q, rows_redelivered=redelivered, cursor_from=batch.cursor_from, cursor_to=batch.cursor_to,
        header=batch.header, message="; ".join(parts),
    )


def _repeated_keys(cfg: SourceConfig, data: pa.Table, hashes: pa.Array, row_numbers: pa.Array) -> str:
    """A note when rows of one batch share a (complete) primary key but differ in content: both land and reach
    staging, which cannot tell which is right; empty when none. Exact repeats are counted elsewhere."""
    if not cfg.primary_key or data.num_rows < 2 or any(c not in data.column_names for c in cfg.primary_key):
        return ""
    frame = pl.from_arrow(data.select(list(cfg.primary_key)))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.from_arrow(hashes.cast(pa.string())).alias("_hash"),
                               pl.from_arrow(row_numbers.cast(pa.int64())).alias("_row"))
    complete = frame.filter(pl.all_horizontal(pl.col(list(cfg.primary_key)).str.strip_chars().str.len_chars() > 0))
    clashes = (complete.group_by(list(cfg.primary_key)).agg(pl.col("_hash").n_unique().alias("versions"),
                                                           pl.col("_row").sort().alias("rows"))
               .filter(pl.col("versions") > 1).sort("rows"))
    if clashes.height == 0:
        return ""
    key = ", ".join(cfg.primary_key)
    shown = "; ".join(f"{' / '.join(str(r[c]) for c in cfg.primary_key)} (rows {', '.join(map(str, r['rows']))})"
                      for r in clashes.head(5).iter_rows(named=True))
    more = f"; and {clashes.height - 5} more" if clashes.height > 5 else ""
    return (f"{clashes.height} primary key value(s) ({key}) repeated with different content in this batch: {shown}"
            f"{more}; all rows landed, staging keeps them all until the department corrects the key")


def _not_landed_before(bronze: Path, hashes: pa.Array, keep: pa.Array) -> tuple[pa.Array, int]:
    """The keep mask without the rows whose row hash the system's bronze table already holds (landed by an earlier
    delivery), and how many kept rows that removed. Rows repeated within this batch are not affected."""
    if not store.exists(bronze) or len(hashes) == 0:
        return keep, 0
    batch = pl.from_arrow(hashes.cast(pa.string())).alias("_row_hash")
    landed = (pl.scan_delta(str(bronze)).select("_row_hash").filter(pl.col("_row_hash").is_in(batch.implode()))
              .unique().collect())
    if landed.height == 0:
        return keep, 0
    seen = batch.is_in(landed["_row_hash"].implode()).to_numpy()
    keep_np = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)
    redelivered = int((keep_np & seen).sum())
    return pa.array(keep_np & ~seen), redelivered


def map_and_check(
    cfg: SourceConfig, batch: RawBatch, display: str, warnings: list[str]
) -> tuple[pa.Table, dict[str, str], pa.Array, pa.Table]:
    """What landing does to a batch before writing: the columns under canonical names, canonical -> source header,
    the mask of rows to keep and the rejects of rows with an empty required field (also `shequyun sources check`)."""
    mapped, present = _map_columns(cfg, batch, display, warnings)
    keep, required_rejects = _check_required(cfg, batch, mapped, present)
    keep, value_rejects = _check_values(cfg, batch, mapped, present, keep)
    if value_rejects.num_rows:
        required_rejects = pa.concat_tables([required_rejects, value_rejects]).sort_by("_row_number")
    return mapped, present, keep, required_rejects


# Control characters no extract field legitimately holds (tab, line feed and carriage return may sit in a quoted
# multi-line cell); NUL bytes break every C-string consumer downstream.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# The longest value a field of a kind may hold (characters); a longer one is a shifted column or a pasted document.
LENGTH_LIMITS = {"person_name": 100, "name": 100, "id_number": 40, "document_no": 64, "phone": 40, "sex": 20,
                 "date": 40, "timestamp": 40, "integer": 40, "decimal": 40, "boolean": 20, "code": 100,
                 "code_map": 100, "lookup": 100, "identifier": 100, "email": 320, "address": 500, "text": 4000}
OTHER_LIMIT = 10000     # unmapped extra columns, and kinds not listed


def _field_kinds(cfg: SourceConfig) -> dict[str, str]:
    from connectors.staging import staging_spec

    try:
        return {f["column"]: f["kind"] for f in staging_spec(cfg)["fields"] if "source_expr" not in f}
    except ConfigError:
        return {}


def _check_values(
    cfg: SourceConfig, batch: RawBatch, mapped: pa.Table, present: dict[str, str], keep: pa.Array
) -> tuple[pa.Array, pa.Table]:
    """Rows that reach bronze must be text a reader can trust: a value holding a NUL byte or another control
    character, or longer than its kind allows (LENGTH_LIMITS), sends its row to quarantine with the reason naming
    the field. Returns the new keep mask and the rejects (rows already rejected are not reported twice)."""
    n = mapped.num_rows
    if n == 0:
        return keep, REJECT_SCHEMA.empty_table()
    kinds = _field_kinds(cfg)
    keep_np = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool).copy()
    reasons: dict[int, tuple[str, str]] = {}
    # a header line repeated inside the data (two extracts joined into one file): every mapped value is its header
    headed = [(name, present[name]) for name in mapped.column_names if name in present]
    if headed:
        same = np.ones(n, dtype=bool)
        for name, header in headed:
            col = mapped.column(name)
            if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
                same[:] = False
                break
            same &= pc.fill_null(pc.equal(pc.utf8_trim_whitespace(col), header), False).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(same & keep_np):
            reasons[int(i)] = ("a repeated header line (every value is its column's header), not a record",
                               headed[0][0])
    for name in mapped.column_names:
        col = mapped.column(name)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        label = f"{present.get(name, name)} ({name})" if name in present else name
        control = pc.fill_null(pc.match_substring_regex(col, _CONTROL), False).to_numpy(zero_copy_only=False)
        limit = LENGTH_LIMITS.get(kinds.get(name, ""), OTHER_LIMIT)
        lengths = pc.fill_null(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero((control | (lengths > limit)) & keep_np):
            if int(i) in reasons:
                continue
            value = col[int(i)].as_py()
            if control[i]:
                char = next(c for c in value if ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127)
                what = "a NUL byte" if char == "\x00" else f"the control character U+{ord(char):04X}"
                reasons[int(i)] = (f"{label} holds {what}", name)
            else:
                reasons[int(i)] = (f"{label} is {int(lengths[i]):,} characters long, over the limit of "
                                   f"{limit:,} for a {kinds.get(name, 'column')} field", name)
    if not reasons:
        return keep, REJECT_SCHEMA.empty_table()
    bad = np.array(sorted(reasons), dtype=np.int64)
    keep_np[bad] = False
    rejects = _row_rejects(batch, bad, [reasons[int(i)][0] for i in bad], [reasons[int(i)][1] for i in bad])
    return pa.array(keep_np), rejects


def _map_columns(cfg: SourceConfig, batch: RawBatch, display: str, warnings: list[str]) -> tuple[pa.Table, dict[str, str]]:
    """Rename mapped source columns to canonical names; keep extras under their header; add missing
    optional columns as null; fail on a missing required column. Returns the table and canonical ->
    source header for the columns present."""
    present: dict[str, str] = {}  # canonical -> source header
    targets: list[str] = []
    extras: list[str] = []
    for header in batch.data.column_names:
        canonical = cfg.columns.get(header)
        if canonical is not None and canonical not in present:
            present[canonical] = header
            targets.append(canonical)
        else:
            extras.append(header)
            targets.append(header)
            if canonical is not None:
                warnings.append(
                    f"{display}: column {header!r} maps to {canonical!r}, already taken by {present[canonical]!r}; "
                    f"landed under its header"
                )
    missing = [c for c in cfg.canonical_columns if c not in present]
    unmapped = [h for h in extras if cfg.columns.get(h) is None]
    hint = (
        f" (columns not in {cfg.config_file.name}: {', '.join(unmapped)}; if one was renamed, map its new header)"
        if unmapped else ""
    )
    missing_required = [c for c in missing if c in cfg.required]
    if missing_required:
        canonical = missing_required[0]
        raise SourceError(
            cfg.system, display,
            f"required column missing (canonical name {canonical}); columns found: "
            f"{', '.join(batch.data.column_names)}{hint}",
            field=" / ".join(cfg.source_headers_for(canonical)),
        )
    if missing:
        listed = ", ".join(f"{' / '.join(cfg.source_headers_for(c))} ({c})" for c in missing)
        warnings.append(f"{display}: optional column{'s' if len(missing) > 1 else ''} missing, landed as null: {listed}{hint}")
    if unmapped:
        warnings.append(f"{display}: extra column{'s' if len(unmapped) > 1 else ''} not in {cfg.config_file.name}, "
                        f"landed under {'their' if len(unmapped) > 1 else 'its'} header: {', '.join(unmapped)}")

    # unique, lineage-safe names
    reserved = set(store.LINEAGE_COLUMNS) | set(cfg.canonical_columns)
    final: list[str] = []
    used: set[str] = set()
    for header, target in zip(batch.data.column_names, targets):
        name = target
        if header in extras and (name in reserved or name in used):
            name = f"{target}__source"
            n = 2
            while name in reserved or name in used:
                name, n = f"{target}__source{n}", n + 1
            warnings.append(f"{display}: extra column {header!r} landed as {name!r} (name taken)")
        used.add(name)
        final.append(name)
    by_name = dict(zip(final, batch.data.columns))
    order = [c for c in cfg.canonical_columns] + [f for f in final if f not in cfg.canonical_columns]
    columns = [
        by_name[c] if c in by_name else pa.nulls(batch.data.num_rows, pa.string())
        for c in order
    ]
    return pa.Table.from_arrays(columns, names=order), present


def _check_required(
    cfg: SourceConfig, batch: RawBatch, mapped: pa.Table, present: dict[str, str]
) -> tuple[pa.Array, pa.Table]:
    """(mask of rows to keep, rejects for rows with an empty required field)."""
    n = mapped.num_rows
    if not cfg.required or n == 0:
        return pa.array(np.ones(n, dtype=bool)), REJECT_SCHEMA.empty_table()
    empties = {}
    for canonical in cfg.required:
        col = mapped.column(canonical)
        empty = pc.or_kleene(pc.is_null(col), pc.equal(pc.utf8_trim_whitespace(col), ""))
        empties[canonical] = pc.fill_null(empty, True).to_numpy(zero_copy_only=False)
    any_empty = np.logical_or.reduce(list(empties.values()))
    bad = np.flatnonzero(any_empty)
    if bad.size == 0:
        return pa.array(np.ones(n, dtype=bool)), REJECT_SCHEMA.empty_table()
    reasons, fields = [], []
    for i in bad:
        missing = [c for c in cfg.required if empties[c][i]]
        label = ", ".join(f"{present.get(c, c)} ({c})" for c in missing)
        reasons.append(f"required field{'s' if len(missing) > 1 else ''} {label} empty")
        fields.append(missing[0])
    return pa.array(~any_empty), _row_rejects(batch, bad, reasons, fields)


def _row_rejects(batch: RawBatch, bad: np.ndarray, reasons: list[str], fields: list[str]) -> pa.Table:
    """Quarantine rows (REJECT_SCHEMA) for the batch rows at positions `bad`: their row numbers, the reasons and
    fields, and each row as delivered (its source values as JSON)."""
    raw_df = pl.from_arrow(batch.data.take(pa.array(bad)))
    assert isinstance(raw_df, pl.DataFrame)
    raw = raw_df.select(pl.struct(pl.all()).struct.json_encode().alias("raw")).to_series().to_arrow()
    return pa.table(
        {
            "_row_number": batch.row_numbers.take(pa.array(bad)).cast(pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "field": pa.array(fields, pa.string()),
            "raw": raw.cast(pa.string()),
        },
        schema=REJECT_SCHEMA,
    )


# -- receipts and recovery -----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _receipt(
    cfg: SourceConfig, source: str, checksum: str, status: str, started: datetime, *, batch_id: str | None = None,
    rows_read: int = 0, rows_landed: int = 0, rows_quarantined: int = 0, rows_redelivered: int = 0,
    cursor_from: str | None = None, cursor_to: str | None = None, header: list[str] | None = None, message: str = "",
) -> LoadReceipt:
    return LoadReceipt(
        batch_id=batch_id or uuid.uuid4().hex, system=cfg.system, source=source, checksum=checksum,
        rows_read=rows_read, rows_landed=rows_landed, rows_quarantined=rows_quarantined,
        rows_redelivered=rows_redelivered, status=status,
        started_at=started, finished_at=_now(), cursor_from=cursor_from, cursor_to=cursor_to,
        header=list(header or []), message=message,
    )


def _unexpected(cfg: SourceConfig, source: str, exc: Exception, paths: Paths) -> SourceError:
    """The error of a source that failed for a reason no reader names: a full disk under the lake said as such,
    anything else as `unexpected <type>: ...` with its traceback in the log."""
    if is_disk_full(exc):
        log.error("%s: %s: %s (%s)", cfg.system, source, disk_full_message(paths.lake), exc)
        return SourceError(cfg.system, source, f"{disk_full_message(paths.lake)}; this source is not landed")
    log.error("%s: %s: unexpected error\n%s", cfg.system, source, traceback.format_exc())
    return SourceError(cfg.system, source, f"unexpected {type(exc).__name__}: {exc}")


def _append_receipt(paths: Paths, receipt: LoadReceipt) -> None:
    row = {name: [getattr(receipt, name)] for name in store.RECEIPT_SCHEMA.names}
    store.append(paths.receipts, pa.table(row, schema=store.RECEIPT_SCHEMA))


def _finish(paths: Paths, result: SystemLoadResult, receipt: LoadReceipt, *, error: SourceError | None = None) -> None:
    _append_receipt(paths, receipt)
    result.receipts.append(receipt)
    result.rows_read += receipt.rows_read
    result.rows_landed += receipt.rows_landed
    result.rows_quarantined += receipt.rows_quarantined
    result.rows_redelivered += receipt.rows_redelivered
    if error is not None:
        result.failures.append(error)
        log.warning("%s", error)


def _landed_checksums(paths: Paths, system: str) -> dict[str, str]:
    df = read_receipts(paths, system).filter((pl.col("status") == LANDED) & (pl.col("checksum") != ""))
    return dict(zip(df["checksum"].to_list(), df["source"].to_list()))


def _last_cursor(paths: Paths, system: str, source: str) -> str | None:
    df = read_receipts(paths, system).filter(
        (pl.col("status") == LANDED) & (pl.col("source") == source) & pl.col("cursor_to").is_not_null()
    )
    return df["cursor_to"][-1] if df.height else None


def _recover_unfinished(cfg: SourceConfig, paths: Paths) -> list[str]:
    """Make bronze, quarantine and receipts agree again after a crash or a failed write.

    Writes go quarantine -> bronze -> receipt. A batch in bronze without a receipt was landed completely
    (a crash before the receipt, or a lost receipts table): its receipt is written now from the rows
    themselves (checked by `_source_checksum`), nothing is landed twice and no bronze row is deleted.
    A batch only in quarantine, or of a `failed` receipt, is incomplete: its rows are deleted and the
    source is read again.
    """
    receipts = read_receipts(paths, cfg.system)
    known = set(receipts["batch_id"].to_list())
    failed = set(receipts.filter(pl.col("status") == FAILED)["batch_id"].to_list())
    bronze_path, quarantine_path = paths.bronze / cfg.system, paths.quarantine / cfg.system
    cursor_col = cfg.columns.get(cfg.cursor) if cfg.is_database and cfg.cursor else None
    b = store.read_columns(
        bronze_path, ["_batch_id", "_source", "_source_checksum", "_loaded_at", "_row_number"] + ([cursor_col] if cursor_col else [])
    )
    q = store.read_columns(quarantine_path, ["_batch_id", "_source", "_source_checksum", "_loaded_at"])
    b_batches = set(b["_batch_id"].unique().to_list()) if b is not None else set()
    q_batches = set(q["_batch_id"].unique().to_list()) if q is not None else set()
    notes: list[str] = []

    incomplete = ((q_batches - b_batches) - known) | ((b_batches | q_batches) & failed)
    if incomplete:
        ids = sorted(incomplete)
        deleted = store.delete_batches(bronze_path, ids) + store.delete_batches(quarantine_path, ids)
        note = f"{cfg.system}: removed {deleted} rows of {len(ids)} incomplete load(s); their sources are read again"
        log.warning(note)
        notes.append(note)

    for batch_id in sorted(b_batches - known):
        rows = b.filter(pl.col("_batch_id") == batch_id)  # type: ignore[union-attr]
        quarantined = q.filter(pl.col("_batch_id") == batch_id).height if q is not None else 0
        cursor_to = None
        if cursor_col and cursor_col in rows.columns:
            cursor_to = rows.sort("_row_number")[cursor_col].drop_nulls().tail(1).to_list()
            cursor_to = cursor_to[0] if cursor_to else None
        loaded_at = rows["_loaded_at"][0]
        receipt = LoadReceipt(
            batch_id=batch_id, system=cfg.system, source=rows["_source"][0], checksum=rows["_source_checksum"][0],
            rows_read=rows.height + quarantined, rows_landed=rows.height, rows_quarantined=quarantined,
            status=LANDED, started_at=loaded_at, finished_at=_now(), cursor_from=None, cursor_to=cursor_to,
            header=[], message="recovered: the rows were in bronze without a receipt (crash before the receipt); "
            "receipt written from bronze, nothing landed twice",
        )
        _append_receipt(paths, receipt)
        note = f"{cfg.system}: recovered the receipt of {receipt.source} ({receipt.rows_landed} rows already in bronze)"
        log.warning(note)
        notes.append(note)
    return notes
