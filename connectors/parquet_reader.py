"""Parquet reader: typed columns rendered as strings; row numbers are the row index from 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from connectors.base import RawBatch
from connectors.config import SourceConfig
from connectors.csv_reader import unique_header
from connectors.errors import SourceError
from connectors.render import to_string_table

__all__ = ["ParquetReader"]


class ParquetReader:
    kind = "file"

    def read_file(self, cfg: SourceConfig, path: Path, *, source: str, display: str) -> RawBatch:
        if path.stat().st_size == 0:
            raise SourceError(cfg.system, display, "the file is empty (0 bytes)")
        try:
            table = pq.read_table(path)
        except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
            raise SourceError(cfg.system, display, f"cannot read the Parquet file (truncated or corrupt?): {exc}") from exc
        warnings: list[str] = []
        header_raw = table.column_names
        header = unique_header(list(header_raw), warnings, display)
        data = to_string_table(table).rename_columns(header)
        return RawBatch(
            source=source,
            data=data,
            row_numbers=pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)),
            header=list(header_raw),
            warnings=warnings,
        )
