"""Helpers shared by the connector tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from connectors.config import SourceConfig
from shequyun.core.settings import Paths


def land_file(paths: Paths, cfg: SourceConfig, name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    """Write a file into the folder the config's glob points at."""
    folder = paths.landing / Path(cfg.path or "").parent
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return target


def bronze(paths: Paths, system: str) -> pl.DataFrame:
    return pl.read_delta(str(paths.bronze / system))


def quarantine(paths: Paths, system: str) -> pl.DataFrame:
    return pl.read_delta(str(paths.quarantine / system))


def assert_balanced(result) -> None:
    """rows_read = rows_landed + rows_quarantined, per receipt and in total."""
    for r in result.receipts:
        assert r.rows_read == r.rows_landed + r.rows_quarantined, r
    assert result.rows_read == result.rows_landed + result.rows_quarantined
