"""What a thematic database describes: its one-row `marts.build_info` (dbt model build_info).

Every reader that needs the database's "today" - exports (data_as_of in manifests and title rows, the default
report period), policy matching (eligible lists by as_of), evaluation against truth - asks here, so the day is
decided once: by the build that wrote the database (dbt var as_of, macro as_of()).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

RELATION = "marts.build_info"


class BuildInfoMissing(LookupError):
    """The database has no build_info: it was built by an older version (rebuild it) or is not a thematic database."""


@dataclass(frozen=True)
class BuildInfo:
    as_of: dt.date
    built_at: dt.datetime
    code_version: str
    source_batches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stale_sources(self) -> list[dict[str, Any]]:
        """The systems whose last load failed: this build holds their last good data (system, last_landed_at,
        last_failed_at as ISO text)."""
        def iso(value: Any) -> str | None:
            if value is None:
                return None
            return (value.astimezone(dt.UTC) if getattr(value, "tzinfo", None) else value).isoformat()
        return [{"system": b["system"], "last_landed_at": iso(b.get("last_landed_at")),
                 "last_failed_at": iso(b.get("last_loaded_at"))}
                for b in self.source_batches if b.get("stale")]


def read_build_info(source: duckdb.DuckDBPyConnection | str | Path) -> BuildInfo:
    """The build_info row of a database (an open connection, or a database file opened read-only for the call)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no thematic database at {path}: run `shequyun run` (or `make demo`) first")
        with duckdb.connect(str(path), read_only=True) as con:
            return read_build_info(con)
    try:
        row = source.execute(f"select as_of, built_at, code_version, source_batches from {RELATION}").fetchone()
    except duckdb.CatalogException as exc:
        raise BuildInfoMissing(f"the database has no {RELATION}: it was built before build_info existed; "
                               "rebuild it (`shequyun run`)") from exc
    if row is None:
        raise BuildInfoMissing(f"{RELATION} is empty: the build that wrote this database did not finish")
    as_of, built_at, code_version, batches = row
    return BuildInfo(as_of=as_of, built_at=built_at, code_version=code_version, source_batches=list(batches or []))


def build_as_of(source: duckdb.DuckDBPyConnection | str | Path) -> dt.date:
    """The day the database describes (build_info.as_of)."""
    return read_build_info(source).as_of
