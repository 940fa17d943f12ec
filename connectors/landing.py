"""Landing: read a system's sources and append them to the bronze Delta layer (skeleton, being implemented)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from connectors.config import SourceConfig
from connectors.errors import SourceError
from shequyun.settings import Paths


@dataclass
class LoadReceipt:
    batch_id: str
    system: str
    source: str
    checksum: str
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


@dataclass
class SystemLoadResult:
    system: str
    receipts: list[LoadReceipt] = field(default_factory=list)
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    files_skipped: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceError] = field(default_factory=list)


def load_system(cfg: SourceConfig, paths: Paths, *, progress: bool = False) -> SystemLoadResult:
    raise NotImplementedError


def read_receipts(paths: Paths, system: str | None = None) -> pl.DataFrame:
    raise NotImplementedError


def pending_files(cfg: SourceConfig, paths: Paths) -> list[Path]:
    raise NotImplementedError
