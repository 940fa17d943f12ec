"""Where things live. One data directory holds everything a run reads and writes.

    <data_dir>/landing/<department>/<system>/...   department drops (files)
    <data_dir>/db/<system>.parquet                  rows the generator loads into PostgreSQL / MariaDB
    <data_dir>/truth/                               generator ground truth
    <data_dir>/lake/bronze/<system>                 Delta tables, source columns + lineage
    <data_dir>/lake/quarantine/<system>             rejected rows with the reason
    <data_dir>/lake/receipts                        one row per load (Delta)
    <data_dir>/warehouse/                           the thematic DuckDB database
    <data_dir>/outbox/                              what committees receive

The data directory is `$SHEQUYUN_DATA_DIR`, default `./data`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "data"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    root: Path

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike[str] | None = None) -> "Paths":
        raw = data_dir or os.environ.get("SHEQUYUN_DATA_DIR") or DEFAULT_DATA_DIR
        return cls(Path(raw).resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def db_extracts(self) -> Path:
        return self.root / "db"

    @property
    def truth(self) -> Path:
        return self.root / "truth"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def receipts(self) -> Path:
        return self.lake / "receipts"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"


def pg_dsn() -> str:
    return os.environ.get("SHEQUYUN_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def mysql_dsn() -> str:
    return os.environ.get("SHEQUYUN_MYSQL_DSN", "mysql://root@127.0.0.1:3306/test")
