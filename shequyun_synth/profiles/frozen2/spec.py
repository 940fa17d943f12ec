"""The frozen2 profile's spec: profile.yaml and systems/*.yaml, loaded and checked.

    spec = load_profile()
    spec.systems["gaj_czrk"].columns[1].header   # 'GMSFHM'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
FILE_FORMATS = ("csv", "xlsx", "jsonl", "parquet")
DB_FORMATS = ("postgres", "mysql")
RENDERS = ("text", "seq", "code", "date", "address")
TYPES = ("string", "int", "decimal", "date", "datetime")
DOCUMENT_KINDS = ("resident_id", "hmt_residence_permit", "hk_macao_permit", "taiwan_permit", "passport")
ROW_KINDS = ("duplicate_row", "broken_row")


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None                   # the builder's field the column carries (None for a derived column)
    render: str = "text"                # text | seq | code:<table> | date:<style> | address:<style>
    stale: bool = False                 # address: the previous house is at hand for stale_address
    noise: dict[str, float] = field(default_factory=dict)   # kind -> rate, tried in this order
    group: str | None = None            # xlsx: the upper header cell over this column
    type: str = "string"                # typed formats (Parquet, databases)
    sql: str | None = None              # databases: the column's SQL type
    derive: str | None = None           # document_type: from the final value of column `of`
    of: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def render_kind(self) -> str:
        return self.render.split(":", 1)[0]

    @property
    def render_arg(self) -> str:
        return self.render.split(":", 1)[1] if ":" in self.render else ""


@dataclass(frozen=True)
class System:
    system: str
    title: str
    department: str
    department_title: str
    format: str
    file: str
    columns: tuple[Column, ...]
    required: str
    rows: dict[str, float]
    records: str = ""
    encoding: str = "utf-8"
    delimiter: str = ","
    trailing_delimiter: bool = False
    line_terminator: str = "\n"
    sheet: str | None = None
    title_rows: tuple[str, ...] = ()
    notes_rows: tuple[str, ...] = ()
    blank_before_notes: bool = False
    table: str | None = None
    primary_key: str | None = None
    cursor: str | None = None
    persons: dict[str, str] = field(default_factory=dict)   # role -> builder field of another person named

    @property
    def is_db(self) -> bool:
        return self.format in DB_FORMATS

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(f"{self.system} has no column {header!r}")

    def source_name(self, stamp: str) -> str:
        """truth/source_records.source: the path under landing/ (files) or the table name (databases)."""
        if self.is_db:
            assert self.table is not None
            return self.table
        return f"{self.department}/{self.system}/{self.file.format(stamp=stamp)}"

    def output_path(self, stamp: str) -> str:
        """Where the generator writes it, relative to the data directory."""
        return self.file if self.is_db else f"landing/{self.source_name(stamp)}"

    @property
    def header_rows(self) -> int:
        return 2 if any(c.group for c in self.columns) else 1

    @property
    def first_data_row(self) -> int:
        """The row key of the first data row (SCHEMA.md: the connector's row number): CSV line, worksheet row,
        JSON line, Parquet row index from 1."""
        if self.format == "xlsx":
            return len(self.title_rows) + self.header_rows + 1
        return 2 if self.format == "csv" else 1


@dataclass(frozen=True)
class Profile:
    name: str
    version: int
    population: dict[str, Any]
    noise_kinds: dict[str, str]
    codes: dict[str, dict[str, str]]
    systems: dict[str, System]


def _column(raw: dict[str, Any]) -> Column:
    return Column(header=str(raw["header"]), field=raw.get("field"), render=raw.get("render", "text"),
                  stale=bool(raw.get("stale", False)),
                  noise={str(k): float(v) for k, v in (raw.get("noise") or {}).items()},
                  group=raw.get("group"), type=raw.get("type", "string"), sql=raw.get("sql"), derive=raw.get("derive"),
                  of=raw.get("of"), values={str(k): str(v) for k, v in (raw.get("values") or {}).items()},
                  note=str(raw.get("note", "")))


def _system(raw: dict[str, Any]) -> System:
    return System(
        system=raw["system"], title=raw["title"], department=raw["department"],
        department_title=raw["department_title"], format=raw["format"], file=raw["file"],
        columns=tuple(_column(c) for c in raw["columns"]), required=raw["required"],
        rows={str(k): float(v) for k, v in (raw.get("rows") or {}).items()}, records=" ".join(str(raw.get("records", "")).split()),
        encoding=raw.get("encoding", "utf-8"), delimiter=raw.get("delimiter", ","),
        trailing_delimiter=bool(raw.get("trailing_delimiter", False)), line_terminator=raw.get("line_terminator", "\n"),
        sheet=raw.get("sheet"), title_rows=tuple(raw.get("title_rows") or ()), notes_rows=tuple(raw.get("notes_rows") or ()),
        blank_before_notes=bool(raw.get("blank_before_notes", False)), table=raw.get("table"),
        primary_key=raw.get("primary_key"), cursor=raw.get("cursor"),
        persons={str(k): str(v) for k, v in (raw.get("persons") or {}).items()},
    )


def validate(profile: Profile) -> None:
    """Fail on a spec the generator cannot honour (unknown kinds, renders, formats, columns)."""
    kinds = set(profile.noise_kinds)
    for s in profile.systems.values():
        where = f"systems/{s.system}.yaml"
        if s.format not in FILE_FORMATS + DB_FORMATS:
            raise ValueError(f"{where}: unknown format {s.format!r}")
        if s.is_db and not (s.table and s.primary_key and s.cursor):
            raise ValueError(f"{where}: a database system needs table, primary_key and cursor")
        if len(set(s.headers)) != len(s.headers):
            raise ValueError(f"{where}: duplicate headers")
        if s.required not in s.headers:
            raise ValueError(f"{where}: required {s.required!r} is not a header")
        unknown_rows = set(s.rows) - set(ROW_KINDS)
        if unknown_rows:
            raise ValueError(f"{where}: unknown row kinds {sorted(unknown_rows)}")
        for c in s.columns:
            if (c.field is None) == (c.derive is None):
                raise ValueError(f"{where}: column {c.header} needs exactly one of field and derive")
            if c.derive is not None and (c.derive != "document_type" or c.of not in s.headers
                                         or set(c.values) != set(DOCUMENT_KINDS)):
                raise ValueError(f"{where}: column {c.header}: derive document_type of a header, values for "
                                 f"{', '.join(DOCUMENT_KINDS)}")
            if c.render_kind not in RENDERS:
                raise ValueError(f"{where}: column {c.header}: unknown render {c.render!r}")
            if c.render_kind == "code" and c.render_arg not in profile.codes and c.render_arg != "ethnicity_gb3304":
                raise ValueError(f"{where}: column {c.header}: unknown code table {c.render_arg!r}")
            if c.type not in TYPES:
                raise ValueError(f"{where}: column {c.header}: unknown type {c.type!r}")
            if s.is_db and not c.sql:
                raise ValueError(f"{where}: column {c.header}: a database column needs sql")
            if c.noise and c.type != "string":
                raise ValueError(f"{where}: column {c.header}: noise applies to text columns only")
            bad = set(c.noise) - kinds
            if bad:
                raise ValueError(f"{where}: column {c.header}: unknown noise kinds {sorted(bad)}")
            for kind, rate in c.noise.items():
                if not 0.0 <= rate <= 1.0:
                    raise ValueError(f"{where}: column {c.header}: rate {kind}={rate} is not a probability")


@lru_cache(maxsize=2)
def load_profile(folder: Path = HERE) -> Profile:
    raw = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
    systems = {}
    for path in sorted((folder / "systems").glob("*.yaml")):
        s = _system(yaml.safe_load(path.read_text(encoding="utf-8")))
        if path.stem != s.system:
            raise ValueError(f"{path.name}: system {s.system!r} differs from the file name")
        systems[s.system] = s
    profile = Profile(name=raw["profile"], version=int(raw["version"]), population=raw["population"],
                      noise_kinds={str(k): str(v) for k, v in raw["noise_kinds"].items()},
                      codes={str(k): {str(a): str(b) for a, b in v.items()} for k, v in raw["codes"].items()},
                      systems=systems)
    validate(profile)
    return profile


def frozen_files(folder: Path = HERE) -> list[Path]:
    """The files whose content is frozen: the spec (profile.yaml, systems/*.yaml) and the profile's modules."""
    files = [folder / "profile.yaml", *sorted((folder / "systems").glob("*.yaml")), *sorted(folder.glob("*.py"))]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def frozen_digest(folder: Path = HERE) -> str:
    """sha256 over the frozen files (relative path and bytes of each, in path order)."""
    h = hashlib.sha256()
    for path in frozen_files(folder):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()
