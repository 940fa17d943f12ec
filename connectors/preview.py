"""`shequyun sources check <yaml>`: what a department's extract would become, before anything lands.

The YAML is validated (connector settings, staging kinds, resolution roles: errors name the file and the key), a
sample is read with the system's own reader (a given file, the first file its pattern matches under landing/, or
the new rows of its table), its headers are mapped to canonical names exactly as landing maps them, and the report
shows: each column with its declared kind and the kind its values look like (a disagreement is flagged), the first
rows as canonical fields, the rows that would be quarantined and why, the columns that would land unmapped, and what
the system would feed downstream. Nothing is written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from connectors.base import get_reader
from connectors.config import SourceConfig
from connectors.contributions import Contribution, contributions
from connectors.landing import map_and_check, matching_files
from connectors.staging import system_spec
from shequyun.core.settings import Paths

# what the values of a column look like: the first kind whose pattern most sampled values match (>= 80%)
_LOOKS: list[tuple[str, re.Pattern[str]]] = [
    ("id_number", re.compile(r"\d{17}[\dXx]|\d{15}|\d{6}\*{4,}\d{3,4}[\dXx]?")),
    ("excel-mangled number", re.compile(r"\d(\.\d+)?[Ee][+]\d+|\d+\.0")),
    ("phone", re.compile(r"(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8}|1[3-9]\d\*{4}\d{4}")),
    ("date", re.compile(r"(1[89]|20)\d\d([-/.年]\d{1,2}(月|[-/.月]\d{1,2}日?)?|\d{4})(\s.*)?")),
    ("integer", re.compile(r"[-+]?\d{1,9}")),
    ("decimal", re.compile(r"[-+]?\d+([.,]\d+)?")),
]
# the declared kinds a "looks like" agrees with
_AGREES = {
    "id_number": {"id_number", "identifier", "code", "document_no"},
    "excel-mangled number": set(),
    "phone": {"phone"},
    "date": {"date", "timestamp"},
    "integer": {"integer", "decimal", "identifier", "code", "code_map", "lookup", "boolean", "sex", "id_number"},
    "decimal": {"decimal", "integer"},
}


def value_kind(value: str) -> str:
    """What one value looks like: the first pattern it matches, else text."""
    return next((kind for kind, pattern in _LOOKS if pattern.fullmatch(value)), "text")


def looks_like(values: Iterable[str | None], threshold: float = 0.8) -> str:
    """The kind most values of a sample look like (at least `threshold` of the non-empty ones; 'mixed' when no kind
    has that share, '' for an empty column)."""
    kinds = Counter(value_kind(v.strip()) for v in values if v is not None and v.strip())
    if not kinds:
        return ""
    kind, count = kinds.most_common(1)[0]
    return kind if count >= threshold * sum(kinds.values()) else "mixed"


@dataclass
class ColumnCheck:
    header: str | None          # source header (None: configured but absent from the sample)
    canonical: str | None       # None: not in the YAML's columns (would land under its header)
    kind: str                   # declared kind ('' when unmapped)
    looks: str                  # what the sampled values look like
    filled: int                 # non-empty values in the sample

    mangled: int = 0            # values Excel turned into numbers (3.10104E+17, 310104194503120011.0)

    @property
    def disagrees(self) -> bool:
        if not self.kind or self.looks in ("", "text", "mixed"):
            return False
        return self.kind not in _AGREES.get(self.looks, set()) and self.kind not in ("text", "address", "name",
                                                                                       "person_name")


@dataclass
class CheckReport:
    system: str
    source: str
    rows_read: int
    columns: list[ColumnCheck]
    rows: list[dict[str, str | None]]                      # the first rows, canonical names
    quarantined: list[tuple[int, str, str]]                # (row, reason, field)
    warnings: list[str] = field(default_factory=list)
    contribution: Contribution | None = None

    def render(self, show_rows: int = 5) -> str:
        landing = self.rows_read - len(self.quarantined)
        summary = (f"{self.system}: {self.source}: {self.rows_read:,} rows read, {landing:,} would land, "
                   f"{len(self.quarantined):,} would be quarantined")
        lines = [summary]
        lines.append(f"  {_pad('source header', 24)} {_pad('canonical', 22)} {_pad('kind', 12)} "
                     f"{_pad('values look like', 22)} filled")
        for c in self.columns:
            flag = "  <- check the kind" if c.disagrees else ""
            if c.mangled:
                flag += (f"  <- {c.mangled} value(s) mangled by Excel into numbers: kept as delivered, never trusted as "
                         "an identifier")
            lines.append(f"  {_pad(c.header or '(absent)', 24)} {_pad(c.canonical or '(unmapped)', 22)} "
                         f"{_pad(c.kind or '-', 12)} {_pad(c.looks or '(empty)', 22)} {c.filled:>6}{flag}")
        if self.rows:
            lines.append(f"  first {min(show_rows, len(self.rows))} rows as canonical fields:")
            for row in self.rows[:show_rows]:
                lines.append("    " + ", ".join(f"{k}={v!r}" for k, v in row.items() if not k.startswith("_")))
        if self.quarantined:
            lines.append("  would be quarantined:")
            for number, reason, fld in self.quarantined[:10]:
                lines.append(f"    row {number}: {reason}" + (f" (field {fld})" if fld else ""))
            if len(self.quarantined) > 10:
                lines.append(f"    ... {len(self.quarantined) - 10} more")
        for warning in self.warnings:
            lines.append(f"  warning: {warning}")
        if self.contribution is not None:
            lines.append(f"  downstream: {self.contribution.describe()}")
        return "\n".join(lines)


def check_source(cfg: SourceConfig, paths: Paths | None = None, sample: Path | None = None,
                 rows: int = 1000, others: list[SourceConfig] | None = None) -> CheckReport:
    """Read a sample of the system as landing would, without writing; raises ConfigError / SourceError."""
    spec = system_spec(cfg)    # the staging and resolution sections validate here
    kinds = {f["column"]: f["kind"] for f in spec["fields"]}
    reader = get_reader(cfg.format)
    if cfg.is_database:
        batch = reader.read_table(cfg, cursor_from=None)
        source = cfg.table or "query"
    else:
        path = sample
        if path is None:
            if paths is None:
                raise ValueError("give a sample file or a data directory")
            files = matching_files(cfg, paths)
            if not files:
                raise FileNotFoundError(f"no file matches {cfg.path!r} under {paths.landing}: give one with --file")
            path = files[0]
        source = str(path)
        batch = reader.read_file(cfg, path, source=path.name, display=str(path))
    warnings = list(batch.warnings)
    mapped, present, keep, required_rejects = map_and_check(cfg, batch, source, warnings)
    rejects = pa.concat_tables([batch.rejects, required_rejects.cast(batch.rejects.schema)])
    quarantined = sorted((int(r["_row_number"]), str(r["reason"]), str(r["field"] or ""))
                         for r in rejects.to_pylist())
    data = mapped.filter(keep) if required_rejects.num_rows else mapped
    head = data.slice(0, rows)
    columns = []
    for name in [*cfg.canonical_columns, *(n for n in head.column_names if n not in cfg.canonical_columns)]:
        canonical = name if name in cfg.canonical_columns else None
        values = head.column(name).to_pylist() if name in head.column_names else []
        kind = kinds.get(name, "")
        mangled = sum(1 for v in values if v and value_kind(v.strip()) == "excel-mangled number") \
            if kind in ("id_number", "identifier", "phone", "document_no") else 0
        columns.append(ColumnCheck(present.get(name, name if canonical is None else None), canonical, kind,
                                   looks_like(values), sum(1 for v in values if v not in (None, "")), mangled))
    contribution = next((c for c in contributions([*(others or []), cfg]) if c.system == cfg.system), None)
    return CheckReport(system=cfg.system, source=source, rows_read=batch.rows_read, columns=columns,
                       rows=head.slice(0, 10).to_pylist(), quarantined=quarantined, warnings=warnings,
                       contribution=contribution)


def _pad(text: str, width: int) -> str:
    """Left-justified to a display width (CJK characters count double)."""
    shown = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    return text + " " * max(0, width - shown)
