"""The reader protocol and the format registry.

A reader turns one source (a file, or the new rows of a table) into a `RawBatch`: every value as a
string exactly as read, columns named by their source header, plus the rows it could not parse
(`rejects`). Mapping to canonical names, required-field checks, lineage and writing are done once, for
every format, in `connectors.landing`.

Adding a system in a known format needs only a YAML file in connectors/sources/. Adding a format means
writing a reader and calling `register_reader("fmt", reader)`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyarrow as pa

if TYPE_CHECKING:
    from connectors.config import SourceConfig

__all__ = [
    "REJECT_SCHEMA",
    "FileReader",
    "RawBatch",
    "Reader",
    "TableReader",
    "empty_rejects",
    "get_reader",
    "known_formats",
    "register_reader",
]

REJECT_SCHEMA = pa.schema(
    [
        pa.field("_row_number", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("field", pa.string()),
        pa.field("raw", pa.string()),
    ]
)


def empty_rejects() -> pa.Table:
    return REJECT_SCHEMA.empty_table()


@dataclass
class RawBatch:
    """What a reader read from one source.

    data:        one string column per source column, named by its (whitespace-stripped) source header,
                 in source order; values exactly as read (typed values rendered to ISO strings).
    row_numbers: int64, one per row of `data`: the row key as SCHEMA.md defines it.
    rejects:     rows that could not be parsed at all (REJECT_SCHEMA: _row_number, reason, field, raw).
    header:      the source header as found (before any renaming for uniqueness).
    """

    source: str
    data: pa.Table
    row_numbers: pa.Array
    rejects: pa.Table = field(default_factory=empty_rejects)
    header: list[str] = field(default_factory=list)
    checksum: str = ""
    warnings: list[str] = field(default_factory=list)
    cursor_from: str | None = None
    cursor_to: str | None = None
    # database tables read by cursor: rows of the table at or below the previous load's cursor (or with none), counted
    # in the same snapshot - more than were ever read means rows written late behind the cursor (never read)
    rows_behind: int | None = None

    @property
    def rows_read(self) -> int:
        return self.data.num_rows + self.rejects.num_rows


@runtime_checkable
class FileReader(Protocol):
    """Reads one landed file. `source` is the path relative to landing/ (lineage), `display` relative to
    the data directory (error messages)."""

    kind: str  # "file"

    def read_file(self, cfg: SourceConfig, path: Path, *, source: str, display: str) -> RawBatch: ...


@runtime_checkable
class TableReader(Protocol):
    """Reads the rows of a database table whose cursor column is greater than `cursor_from` (all rows
    when None), ordered by the cursor; sets `cursor_to` to the greatest cursor value read."""

    kind: str  # "table"

    def read_table(self, cfg: SourceConfig, *, cursor_from: str | None) -> RawBatch: ...


Reader = FileReader | TableReader

# Built-in readers are imported on first use (keeps `import connectors.config` light and acyclic).
_BUILTIN: dict[str, str] = {
    "csv": "connectors.csv_reader:CsvReader",
    "xlsx": "connectors.xlsx_reader:XlsxReader",
    "jsonl": "connectors.jsonl_reader:JsonlReader",
    "parquet": "connectors.parquet_reader:ParquetReader",
    "postgres": "connectors.postgres_reader:PostgresReader",
    "mysql": "connectors.mysql_reader:MysqlReader",
}
_REGISTRY: dict[str, Reader] = {}


def register_reader(fmt: str, reader: Reader) -> None:
    """Make `format: fmt` valid in source YAML files, read by `reader`."""
    _REGISTRY[fmt] = reader


def known_formats() -> set[str]:
    return set(_BUILTIN) | set(_REGISTRY)


def get_reader(fmt: str) -> Reader:
    if fmt not in _REGISTRY:
        if fmt not in _BUILTIN:
            raise KeyError(f"no reader for format {fmt!r} (known: {', '.join(sorted(known_formats()))})")
        module_name, class_name = _BUILTIN[fmt].split(":")
        _REGISTRY[fmt] = getattr(importlib.import_module(module_name), class_name)()
    return _REGISTRY[fmt]
