"""Shared pieces of the database readers: connection errors, source naming, cursor handling."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from connectors.base import RawBatch
from connectors.config import SourceConfig
from connectors.csv_reader import unique_header
from connectors.errors import SourceError, SourceUnavailable, mask_dsn

CONNECT_TIMEOUT_SECONDS = 3


def source_name(cfg: SourceConfig) -> str:
    return cfg.table or f"query:{cfg.system}"


def _detail(dsn: str, exc: BaseException) -> str:
    """The driver's first line, the DSN's password masked."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in _passwords(dsn):
        detail = detail.replace(secret, "***")
    return detail


def unavailable(cfg: SourceConfig, dsn: str, exc: BaseException) -> SourceUnavailable:
    detail = _detail(dsn, exc)
    return SourceUnavailable(
        cfg.system, source_name(cfg),
        f"database server does not answer at {mask_dsn(dsn)} (no answer within {CONNECT_TIMEOUT_SECONDS} s, "
        f"or the connection was refused): {detail}",
    )


def connection_lost(cfg: SourceConfig, dsn: str, exc: BaseException) -> SourceError:
    """The connection broke after it was made (the server stopped or was restarted mid-read, the network dropped):
    a failure of this load, not a server that is absent - `--skip-unavailable-databases` does not skip it. The
    readers land nothing until a read is complete, so the message can say so."""
    return SourceError(
        cfg.system, source_name(cfg),
        f"connection to the database server lost while reading {source_name(cfg)}; nothing of this read was landed: "
        f"run the ingest again when the server is back ({mask_dsn(dsn)}: {_detail(dsn, exc)})",
    )


def _passwords(dsn: str) -> list[str]:
    from urllib.parse import urlsplit

    try:
        pw = urlsplit(dsn).password
    except ValueError:
        return []
    return [pw] if pw else []


def check_cursor(cfg: SourceConfig, columns: list[str]) -> None:
    if cfg.cursor not in columns:
        raise SourceError(
            cfg.system, source_name(cfg),
            f"cursor column {cfg.cursor!r} not in the table (columns: {', '.join(columns)})",
            field=cfg.cursor,
        )


def make_batch(cfg: SourceConfig, columns: list[str], data: pa.Table, cursor_from: str | None) -> RawBatch:
    warnings: list[str] = []
    header = unique_header(columns, warnings, source_name(cfg))
    data = pa.Table.from_arrays([c.cast(pa.string()) for c in data.columns], names=header)
    cursor_to = cursor_from
    if data.num_rows:
        cursor_col = data.column(columns.index(cfg.cursor)).drop_null()
        if len(cursor_col):
            cursor_to = cursor_col[len(cursor_col) - 1].as_py()  # rows are ordered by the cursor
    return RawBatch(
        source=source_name(cfg),
        data=data,
        row_numbers=pa.array(np.arange(1, data.num_rows + 1, dtype=np.int64)),
        header=list(columns),
        warnings=warnings,
        cursor_from=cursor_from,
        cursor_to=cursor_to,
    )


__all__ = ["CONNECT_TIMEOUT_SECONDS", "check_cursor", "connection_lost", "make_batch", "source_name", "unavailable"]
