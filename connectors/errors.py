"""Errors raised while reading department extracts.

Every error names what a data engineer needs to find the problem: the system, the file (relative to the
data directory) or table, and where it applies the row and the field (source header).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ConfigError", "SourceError", "SourceUnavailable", "mask_dsn"]


class SourceError(Exception):
    """A source (file or table) that cannot be read, or a row of it that cannot be landed."""

    def __init__(
        self,
        system: str,
        source: str,
        reason: str,
        *,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.system = system
        self.source = source
        self.row = row
        self.field = field
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" row {self.row}"
        if self.field is not None:
            where += f" field {self.field}"
        return f"{self.system}: {where}: {self.reason}"

    def __reduce__(self):  # keep pickling (Dagster, multiprocessing) working with keyword arguments
        return (_rebuild, (type(self), self.system, self.source, self.reason, self.row, self.field))


def _rebuild(cls, system, source, reason, row, field):  # type: ignore[no-untyped-def]
    return cls(system, source, reason, row=row, field=field)


class SourceUnavailable(SourceError):
    """A database server that does not answer (or refuses the connection). The DSN is shown masked."""


class ConfigError(Exception):
    """A source YAML that is invalid: names the file and the key."""

    def __init__(self, config_file: Path | str, key: str | None, reason: str) -> None:
        self.config_file = Path(config_file)
        self.key = key
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        key = f" key {self.key!r}" if self.key else ""
        return f"{self.config_file}{key}: {self.reason}"

    def __reduce__(self):
        return (ConfigError, (self.config_file, self.key, self.reason))


_PASSWORD_IN_URL = re.compile(r"(?P<prefix>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")
_PASSWORD_KV = re.compile(r"(?i)(password\s*=\s*)(\S+)")


def mask_dsn(dsn: str) -> str:
    """`postgresql://u:secret@h/db` -> `postgresql://u:***@h/db` (also `password=...` key/value DSNs)."""
    masked = _PASSWORD_IN_URL.sub(lambda m: f"{m['prefix']}***{m['at']}", dsn)
    return _PASSWORD_KV.sub(lambda m: f"{m.group(1)}***", masked)
