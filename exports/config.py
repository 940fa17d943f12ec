"""Export settings from exports/config/export.yaml: the formats written and the roles allowed to export unmasked.

Masked is the default and the only mode a committee's package is ever delivered in; `unmasked=True` is refused
unless a role that the configuration allows is named (PIPL Art. 51: reasonable operation permissions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_FOLDER = Path(__file__).resolve().parent / "config"
CONFIG_FILE = CONFIG_FOLDER / "export.yaml"
FORMATS = ("xlsx", "csv", "parquet")


class ExportConfigError(ValueError):
    """exports/config/export.yaml is malformed; the message names the file and key."""


class UnmaskedNotAllowed(PermissionError):
    """An unmasked export was asked for without a role the configuration allows to see full numbers."""


@dataclass(frozen=True)
class Role:
    name: str
    description: str = ""
    unmasked: bool = False


@dataclass(frozen=True)
class ExportConfig:
    formats: tuple[str, ...] = FORMATS
    roles: Mapping[str, Role] = field(default_factory=dict)
    max_column_width: int = 60
    source: Path | None = None

    def check_formats(self, formats: Sequence[str]) -> tuple[str, ...]:
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ExportConfigError(f"unknown export format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
        if not formats:
            raise ExportConfigError("no export format chosen")
        return tuple(dict.fromkeys(formats))

    def authorise(self, unmasked: bool, role: str | None) -> None:
        """Raise UnmaskedNotAllowed unless the export is masked or `role` may export unmasked."""
        if role is not None and role not in self.roles:
            raise UnmaskedNotAllowed(f"unknown role {role!r}; roles in {self.source}: {', '.join(sorted(self.roles))}")
        if not unmasked:
            return
        allowed = sorted(name for name, r in self.roles.items() if r.unmasked)
        if role is None:
            raise UnmaskedNotAllowed("an unmasked export needs a role allowed to see full ID and phone numbers "
                                     f"(allowed in {self.source}: {', '.join(allowed) or 'none'}); exports are "
                                     "masked by default")
        if not self.roles[role].unmasked:
            raise UnmaskedNotAllowed(f"role {role!r} may not export unmasked ID and phone numbers "
                                     f"(allowed in {self.source}: {', '.join(allowed) or 'none'})")


def _role(path: Path, name: str, raw: Any) -> Role:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ExportConfigError(f"{path}: roles.{name} must be a mapping (description, unmasked)")
    unmasked = raw.get("unmasked", False)
    if not isinstance(unmasked, bool):
        raise ExportConfigError(f"{path}: roles.{name}.unmasked must be true or false, got {unmasked!r}")
    return Role(name=name, description=str(raw.get("description") or ""), unmasked=unmasked)


def load_export_config(path: Path | None = None) -> ExportConfig:
    path = path or CONFIG_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ExportConfigError(f"{path}: cannot read the export configuration: {exc}") from None
    if not isinstance(raw, Mapping):
        raise ExportConfigError(f"{path}: expected a mapping")
    formats = raw.get("formats", list(FORMATS))
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise ExportConfigError(f"{path}: formats must be a list of names, got {formats!r}")
    roles_raw = raw.get("roles") or {}
    if not isinstance(roles_raw, Mapping):
        raise ExportConfigError(f"{path}: roles must be a mapping of role name to settings")
    xlsx = raw.get("xlsx") or {}
    width = xlsx.get("max_column_width", 60) if isinstance(xlsx, Mapping) else None
    if not isinstance(width, int) or width < 10:
        raise ExportConfigError(f"{path}: xlsx.max_column_width must be an integer >= 10, got {width!r}")
    config = ExportConfig(formats=(), roles={str(n): _role(path, str(n), r) for n, r in roles_raw.items()},
                          max_column_width=width, source=path)
    try:
        checked = config.check_formats(formats)
    except ExportConfigError as exc:
        raise ExportConfigError(f"{path}: {exc}") from None
    return ExportConfig(formats=checked, roles=config.roles, max_column_width=width, source=path)
