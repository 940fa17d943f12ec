"""A match written to disk and shown on the terminal.

    <out>/eligible.csv       the eligible list, UTF-8 with BOM, Chinese headers (shequyun.files.writers.write_csv)
    <out>/eligible.parquet   the same, column names as in COLUMNS, Chinese headers as field metadata
    <out>/counts.csv         eligible persons per committee, and the total
    <out>/manifest.json      policy, condition, as_of, database, rows, masking, sha256 per file
    <out>/committees/<committee code>/eligible.csv   with --split-committees: each committee's own residents only

The default folder is <data dir>/policies/<policy code>/<as_of>/ (an ad-hoc --where: where-<hash of the condition>;
a policy narrowed by --where: <code>+where-<hash>). ID and phone numbers are masked unless the match was unmasked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import polars as pl

from shequyun.files.writers import sha256_of, write_csv, write_parquet
from shequyun.policy.match import COLUMNS, MatchResult

COUNT_HEADERS = {"district_code": "区代码", "district_name": "区", "street_code": "街镇代码", "street_name": "街镇",
                 "committee_code": "居委会代码", "committee_name": "居委会", "persons": "符合人数"}


def folder_label(policy_code: str | None, where: str | None) -> str:
    """The folder name of a match: the policy code, where-<hash>, or both."""
    parts = [policy_code] if policy_code else []
    if where:
        parts.append("where-" + hashlib.sha256(where.encode("utf-8")).hexdigest()[:10])
    return "+".join(parts)


def default_out_dir(policies_root: Path, label: str, as_of: dt.date) -> Path:
    return policies_root / label / as_of.isoformat()


def counts_with_total(result: MatchResult) -> pl.DataFrame:
    """Per-committee counts and a last row 合计 with the total."""
    counts = result.counts()
    total = pl.DataFrame({"district_code": ["合计"], "persons": [result.total]},
                         schema_overrides={"persons": counts.schema["persons"]})
    return pl.concat([counts, total], how="diagonal")


def write_committee_lists(result: MatchResult, out_dir: Path) -> dict[str, Path]:
    """One eligible.csv per committee (committees/<committee code>/eligible.csv): a committee gets only its own
    residents. Persons of no known committee go to committees/unknown/."""
    headers = [COLUMNS[c] for c in result.persons.columns]
    written: dict[str, Path] = {}
    for (code,), part in result.persons.group_by(["committee_code"], maintain_order=True):
        folder = out_dir / "committees" / (code or "unknown")
        folder.mkdir(parents=True, exist_ok=True)
        written[code or "unknown"] = write_csv(folder / "eligible.csv", part, headers).path
    return written


def write_match(result: MatchResult, out_dir: Path, *, split_committees: bool = False) -> dict[str, Path]:
    """Write the eligible list (csv, parquet), the counts and the manifest (and with `split_committees` one list
    per committee); returns the files by kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = result.persons
    headers = [COLUMNS[c] for c in frame.columns]
    files = {
        "csv": write_csv(out_dir / "eligible.csv", frame, headers).path,
        "parquet": write_parquet(out_dir / "eligible.parquet", frame, headers,
                                 {"policy": result.label, "as_of": result.as_of.isoformat(),
                                  "masked": str(not result.unmasked).lower()}).path,
    }
    counts = counts_with_total(result)
    files["counts"] = write_csv(out_dir / "counts.csv", counts, [COUNT_HEADERS[c] for c in counts.columns]).path
    if split_committees:
        files.update({f"committee:{code}": path for code, path in write_committee_lists(result, out_dir).items()})
    manifest = {
        "policy": result.policy.code if result.policy else None,
        "policy_name": result.policy.name if result.policy else None,
        "policy_file": result.policy.file if result.policy else None,
        "condition": result.expression,
        "as_of": result.as_of.isoformat(),
        "database": str(result.database),
        "eligible": result.total,
        "committees": result.counts().height,
        "masked": not result.unmasked,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {kind: {"file": str(path.relative_to(out_dir)), "sha256": sha256_of(path)}
                  for kind, path in files.items()},
        "warnings": result.warnings,
    }
    files["manifest"] = out_dir / "manifest.json"
    files["manifest"].write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return files


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def render_counts(result: MatchResult) -> str:
    """The terminal table: one line per committee (district, street, committee) and the total."""
    rows = [("区", "街镇", "居委会", "居委会代码", "人数")]
    for r in result.counts().iter_rows(named=True):
        rows.append((r["district_name"] or r["district_code"] or "(未知)", r["street_name"] or r["street_code"] or "(未知)",
                     r["committee_name"] or "(未知)", r["committee_code"] or "-", f"{r['persons']:,}"))
    rows.append(("合计", "", "", "", f"{result.total:,}"))
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(v, widths[i], right=(i == 4)) for i, v in enumerate(row)).rstrip())
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
