"""The source-system contract as the generator reads it: connectors/sources/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from shequyun.core.settings import SOURCES_DIR

FILE_FORMATS = ("csv", "xlsx", "jsonl", "parquet")
DB_FORMATS = ("postgres", "mysql")


@dataclass(frozen=True)
class SystemSpec:
    system: str
    department: str
    format: str
    columns: dict[str, str]          # source header -> canonical name, in file order
    required: tuple[str, ...]        # canonical names
    primary_key: tuple[str, ...]     # canonical names
    path: str | None = None          # glob relative to landing/
    encoding: str | None = None
    delimiter: str = ","
    sheet: str | None = None
    table: str | None = None
    cursor: str | None = None

    @property
    def headers(self) -> list[str]:
        return list(self.columns)

    def header_of(self, canonical: str) -> str:
        for header, name in self.columns.items():
            if name == canonical:
                return header
        raise KeyError(f"{self.system} has no column for {canonical}")

    @property
    def is_db(self) -> bool:
        return self.format in DB_FORMATS

    @property
    def extension(self) -> str:
        return self.format if not self.is_db else "parquet"

    def file_name(self, stamp: str) -> str:
        return f"{self.system}_{stamp}.{self.extension}"

    def source_name(self, stamp: str) -> str:
        """Relative path under landing/ (files) or the table name (DB systems)."""
        if self.is_db:
            assert self.table is not None
            return self.table
        assert self.path is not None
        return str(Path(self.path).parent / self.file_name(stamp))


@lru_cache(maxsize=4)
def load_specs(sources_dir: Path = SOURCES_DIR) -> dict[str, SystemSpec]:
    specs: dict[str, SystemSpec] = {}
    for path in sorted(sources_dir.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        specs[raw["system"]] = SystemSpec(
            system=raw["system"], department=raw["department"], format=raw["format"],
            columns={str(k): str(v) for k, v in raw["columns"].items()},
            required=tuple(raw.get("required", ())), primary_key=tuple(raw.get("primary_key", ())),
            path=raw.get("path"), encoding=raw.get("encoding"), delimiter=raw.get("delimiter", ","),
            sheet=raw.get("sheet"), table=raw.get("table"), cursor=raw.get("cursor"),
        )
    return specs
