"""Source configs: one YAML per department system (connectors/sources/<system>.yaml).

The YAML is the contract between what a department delivers and what the connectors land. Keys:

    system, title, department, department_title, format       required for every system
    columns: {source header: canonical name}                    required; several headers may map to one
                                                                  canonical name (a renamed column)
    required: [canonical]  primary_key: [canonical]             optional, default []
    file formats (csv, xlsx, jsonl, parquet):  path (glob relative to landing/), encoding (csv/jsonl,
                                                default utf-8), delimiter (csv, default ","; `auto`: detected
                                                per file among , ; tab |), sheet (xlsx, default: the only sheet,
                                                or the one whose header names the most configured columns),
                                                header_row (xlsx, the 1-based worksheet row of the header,
                                                default: found by the configured columns)
    database formats (postgres, mysql):        dsn_env, dsn_default, table or query, cursor
    optional extras:                           quote_char (csv, default '"'), chunk_rows (databases),
                                                description
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.errors import ConfigError
from shequyun.core.settings import SOURCES_DIR, resolve_sources_dir

__all__ = ["AUTO_DELIMITER", "DEFAULT_SOURCES_DIR", "SourceConfig", "deployment_sources_dir", "load_source_config",
           "load_source_configs"]

DEFAULT_SOURCES_DIR = SOURCES_DIR

AUTO_DELIMITER = "auto"  # csv: the delimiter is detected per file (connectors.csv_reader.detect_delimiter)
FILE_FORMATS = frozenset({"csv", "xlsx", "jsonl", "parquet"})
DB_FORMATS = frozenset({"postgres", "mysql"})
_BASE_KEYS = ("system", "title", "department", "department_title", "format", "columns")
_KNOWN_KEYS = frozenset(
    {
        *_BASE_KEYS,
        "path", "encoding", "delimiter", "sheet", "header_row", "quote_char",
        "dsn_env", "dsn_default", "table", "query", "cursor", "chunk_rows",
        "required", "primary_key", "description", "staging", "resolution",
    }
)


@dataclass(frozen=True)
class SourceConfig:
    system: str
    title: str
    department: str
    department_title: str
    format: str
    columns: dict[str, str]
    config_file: Path
    path: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | None = None
    header_row: int | None = None  # xlsx: 1-based worksheet row of the header (the upper row of a two-row header)
    dsn_env: str | None = None
    dsn_default: str | None = None
    table: str | None = None
    query: str | None = None
    cursor: str | None = None
    required: list[str] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    quote_char: str = '"'
    chunk_rows: int = 50_000
    description: str | None = None
    # how staging normalises the columns (connectors/staging.py): model name, per-column kinds, derived columns
    staging: dict[str, Any] = field(default_factory=dict)
    # what the system contributes to person and house resolution (connectors/staging.py resolution_spec)
    resolution: dict[str, Any] = field(default_factory=dict)

    @property
    def is_database(self) -> bool:
        return self.format in DB_FORMATS

    @property
    def canonical_columns(self) -> list[str]:
        """Canonical names in YAML order, each once."""
        return list(dict.fromkeys(self.columns.values()))

    def source_headers_for(self, canonical: str) -> list[str]:
        return [h for h, c in self.columns.items() if c == canonical]

    def dsn(self) -> str:
        """The connection string: the environment variable `dsn_env` if set, else `dsn_default`."""
        if self.dsn_env and os.environ.get(self.dsn_env):
            return os.environ[self.dsn_env]
        if self.dsn_default:
            return self.dsn_default
        raise ConfigError(self.config_file, "dsn_default", f"no DSN: set ${self.dsn_env} or dsn_default")

    def __hash__(self) -> int:  # dict/list fields: hash by identity of the system and file
        return hash((self.system, str(self.config_file)))


def _str(raw: dict[str, Any], key: str, file: Path, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ConfigError(file, key, "missing")
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ConfigError(file, key, f"expected a string, got {type(value).__name__}")
    return str(value)


def _str_list(raw: dict[str, Any], key: str, file: Path) -> list[str]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(file, key, "expected a list of canonical column names")
    return list(value)


def _mapping(raw: dict[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(file, key, "expected a mapping")
    return dict(value)


def load_source_config(file: Path) -> SourceConfig:
    """Parse and validate one YAML file."""
    from connectors.base import known_formats  # registry lives with the readers

    file = Path(file)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(file, None, f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(file, None, "expected a mapping at the top level")
    for key in _BASE_KEYS:
        if raw.get(key) in (None, ""):
            raise ConfigError(file, key, "missing")
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(file, unknown[0], f"unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")

    fmt = str(raw["format"])
    if fmt not in known_formats():
        raise ConfigError(file, "format", f"unknown format {fmt!r} (known: {', '.join(sorted(known_formats()))})")

    columns = raw["columns"]
    if not isinstance(columns, dict) or not columns:
        raise ConfigError(file, "columns", "expected a non-empty mapping {source header: canonical name}")
    columns = {str(k).strip(): str(v).strip() for k, v in columns.items()}
    for header, canonical in columns.items():
        if not canonical or canonical.startswith("_"):
            raise ConfigError(file, f"columns.{header}", f"invalid canonical name {canonical!r} (leading _ is for lineage)")
    canonical = set(columns.values())
    required = _str_list(raw, "required", file)
    primary_key = _str_list(raw, "primary_key", file)
    for key, names in (("required", required), ("primary_key", primary_key)):
        for name in names:
            if name not in canonical:
                raise ConfigError(file, key, f"{name!r} is not a canonical name in columns")

    kwargs: dict[str, Any] = {}
    if fmt in DB_FORMATS:
        for key in ("dsn_default",):
            if not raw.get(key) and not raw.get("dsn_env"):
                raise ConfigError(file, key, "missing (a database source needs dsn_env or dsn_default)")
        if not raw.get("table") and not raw.get("query"):
            raise ConfigError(file, "table", "missing (a database source needs table or query)")
        if not raw.get("cursor"):
            raise ConfigError(file, "cursor", "missing (database loads are incremental by this column)")
        cursor = str(raw["cursor"])
        if cursor not in columns:
            raise ConfigError(file, "cursor", f"{cursor!r} is not a source column listed in columns")
        if raw.get("chunk_rows") is not None:
            try:
                kwargs["chunk_rows"] = int(raw["chunk_rows"])
            except (TypeError, ValueError) as exc:
                raise ConfigError(file, "chunk_rows", "expected an integer") from exc
    else:
        glob = _str(raw, "path", file, required=True) or ""
        if glob.startswith(("/", "\\")) or ".." in Path(glob).parts or (len(glob) > 1 and glob[1] == ":"):
            raise ConfigError(file, "path", f"{glob!r}: expected a glob relative to landing/, e.g. <department>/<system>/*.csv")
    encoding = _str(raw, "encoding", file) or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise ConfigError(file, "encoding", f"unknown encoding {encoding!r}") from exc
    delimiter = _str(raw, "delimiter", file) or ","
    if fmt == "csv" and len(delimiter) != 1 and delimiter != AUTO_DELIMITER:
        raise ConfigError(file, "delimiter", f"expected one character or {AUTO_DELIMITER!r}, got {delimiter!r}")
    quote_char = _str(raw, "quote_char", file) or '"'
    header_row = raw.get("header_row")
    if header_row is not None:
        if fmt != "xlsx":
            raise ConfigError(file, "header_row", f"applies to xlsx sources only (format is {fmt})")
        if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
            raise ConfigError(file, "header_row", f"expected a worksheet row number (1, 2, ...), got {header_row!r}")

    return SourceConfig(
        system=str(raw["system"]),
        title=str(raw["title"]),
        department=str(raw["department"]),
        department_title=str(raw["department_title"]),
        format=fmt,
        columns=columns,
        config_file=file.resolve(),
        path=_str(raw, "path", file),
        encoding=encoding,
        delimiter=delimiter,
        sheet=_str(raw, "sheet", file),
        header_row=header_row,
        dsn_env=_str(raw, "dsn_env", file),
        dsn_default=_str(raw, "dsn_default", file),
        table=_str(raw, "table", file),
        query=_str(raw, "query", file),
        cursor=_str(raw, "cursor", file),
        required=required,
        primary_key=primary_key,
        quote_char=quote_char,
        description=_str(raw, "description", file),
        staging=_mapping(raw, "staging", file),
        resolution=_mapping(raw, "resolution", file),
        **kwargs,
    )


def deployment_sources_dir() -> Path:
    """`$SHEQUYUN_SOURCES_DIR`, else DEFAULT_SOURCES_DIR (the shipped connectors/sources)."""
    chosen = resolve_sources_dir()
    return DEFAULT_SOURCES_DIR if chosen == SOURCES_DIR else chosen


def load_source_configs(directory: Path | None = None) -> dict[str, SourceConfig]:
    """Every `*.yaml` / `*.yml` in `directory` (default: the deployment's, `$SHEQUYUN_SOURCES_DIR`, else the shipped
    connectors/sources), validated, keyed by system."""
    directory = Path(directory) if directory is not None else deployment_sources_dir()
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    configs: dict[str, SourceConfig] = {}
    for file in files:
        cfg = load_source_config(file)
        if cfg.system in configs:
            raise ConfigError(file, "system", f"{cfg.system!r} already defined in {configs[cfg.system].config_file.name}")
        configs[cfg.system] = cfg
    return configs
