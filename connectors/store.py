"""Delta Lake tables of the landing layer: bronze/<system>, quarantine/<system>, receipts."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

__all__ = [
    "LINEAGE_COLUMNS",
    "QUARANTINE_SCHEMA",
    "RECEIPT_SCHEMA",
    "append",
    "delete_batches",
    "exists",
    "read_columns",
]

TS = pa.timestamp("us", tz="UTC")
LINEAGE_COLUMNS = ["_system", "_source", "_row_number", "_batch_id", "_loaded_at", "_row_hash", "_source_checksum"]

QUARANTINE_SCHEMA = pa.schema(
    [
        ("_system", pa.string()),
        ("_source", pa.string()),
        ("_row_number", pa.int64()),
        ("_batch_id", pa.string()),
        ("_loaded_at", TS),
        ("reason", pa.string()),
        ("field", pa.string()),
        ("raw", pa.string()),
        ("_source_checksum", pa.string()),
    ]
)

RECEIPT_SCHEMA = pa.schema(
    [
        ("batch_id", pa.string()),
        ("system", pa.string()),
        ("source", pa.string()),
        ("checksum", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_landed", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("status", pa.string()),
        ("started_at", TS),
        ("finished_at", TS),
        ("cursor_from", pa.string()),
        ("cursor_to", pa.string()),
        ("header", pa.list_(pa.string())),
        ("message", pa.string()),
        ("rows_redelivered", pa.int64()),   # added later: null in receipts written before it
    ]
)


def exists(path: Path) -> bool:
    return DeltaTable.is_deltatable(str(path))


def append(path: Path, table: pa.Table, *, retries: int = 5) -> None:
    """Append (schema evolution allowed), retrying on a concurrent commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(retries):
        try:
            write_deltalake(str(path), table, mode="append", schema_mode="merge")
            return
        except CommitFailedError:
            if attempt == retries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def read_columns(path: Path, columns: list[str], predicate: pl.Expr | None = None) -> pl.DataFrame | None:
    """Selected columns of a Delta table (None if the table does not exist). Read through polars:
    deltalake's own pyarrow-dataset path aborts the interpreter at exit here (deltalake 1.6)."""
    if not exists(path):
        return None
    lf = pl.scan_delta(str(path))
    available = set(lf.collect_schema().names())
    lf = lf.select([c for c in columns if c in available])
    if predicate is not None:
        lf = lf.filter(predicate)
    return lf.collect()


def delete_batches(path: Path, batch_ids: list[str]) -> int:
    """Delete the rows of the given batches; returns the number of rows deleted."""
    if not batch_ids or not exists(path):
        return 0
    quoted = ", ".join("'" + b.replace("'", "''") + "'" for b in batch_ids)
    metrics = DeltaTable(str(path)).delete(f"_batch_id IN ({quoted})")
    return int(metrics.get("num_deleted_rows", 0) or 0)
