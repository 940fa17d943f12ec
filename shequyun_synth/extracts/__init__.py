"""Department extracts of the synthetic city: build, add noise, write, and map every record to the truth.

    out = write_system("ps_hukou", ctx, out_dir, cfg, seed)   # one system
    out.records  # truth/source_records rows for it; out.events: truth/noise rows

Who appears in which system and how each department writes its data: `builders.py`.
Field noise: `shequyun_synth.noise`. Formats, duplicates and broken rows: `writers.py`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from shequyun_synth.extracts.builders import BUILDERS, Extract
from shequyun_synth.extracts.context import Context
from shequyun_synth.extracts.spec import SystemSpec, load_specs
from shequyun_synth.extracts.writers import (
    inject_rows,
    required_field,
    write_csv,
    write_jsonl,
    write_parquet,
    write_xlsx,
)
from shequyun_synth.noise import NoiseConfig, apply_field_noise

__all__ = [
    "NOISE_SCHEMA",
    "RECORD_SCHEMA",
    "SYSTEMS",
    "Context",
    "SystemOutput",
    "build_clean",
    "build_noisy",
    "load_specs",
    "system_rng",
    "write_system",
]

SYSTEMS = tuple(BUILDERS)
ROLE_OF = {"id_number": "id", "head_id_number": "id", "owner_id_number": "id",
           "person_name": "name", "head_name": "name", "owner_name": "name",
           "address": "address", "hukou_address": "address", "phone": "phone"}
RECORD_SCHEMA = {"system": pl.String, "source": pl.String, "row_key": pl.String, "person_id": pl.String,
                 "house_id": pl.String, "is_duplicate": pl.Boolean, "is_broken": pl.Boolean}
NOISE_SCHEMA = {"system": pl.String, "row_key": pl.String, "kind": pl.String, "field": pl.String,
                "before": pl.String, "after": pl.String}


@dataclass
class SystemOutput:
    system: str
    source: str                 # file relative to landing/, or the DB table name
    path: Path                  # the written file (DB systems: db/<system>.parquet)
    rows: int                   # rows written (incl. duplicates and broken rows)
    records: pl.DataFrame       # RECORD_SCHEMA
    events: pl.DataFrame        # NOISE_SCHEMA


def system_rng(seed: int, system: str, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(system.encode()), stream])


def roles_for(spec: SystemSpec) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    for header, canonical in spec.columns.items():
        if canonical in ROLE_OF:
            roles.setdefault(ROLE_OF[canonical], []).append(header)
    return roles


def build_clean(system: str, ctx: Context, seed: int) -> Extract:
    """The rows as the department holds them before any noise (dates still typed), with `_rid` from 0."""
    ext = BUILDERS[system](ctx, system_rng(seed, system, 0))
    spec = load_specs()[system]
    missing = [h for h in spec.headers if h not in ext.df.columns]
    if missing:
        raise AssertionError(f"{system}: builder lacks columns {missing}")
    df = ext.df.select(spec.headers + [c for c in ext.df.columns if c.startswith("_")]).with_row_index("_rid")
    return Extract(df.with_columns(pl.col("_rid").cast(pl.Int64)), ext.date_styles)


def build_noisy(system: str, ctx: Context, cfg: NoiseConfig, seed: int) -> tuple[Extract, pl.DataFrame]:
    """Clean rows + field noise. Returns the extract (date columns now text) and the events (with `_rid`)."""
    spec = load_specs()[system]
    cfg = cfg.for_system(system)
    ext = build_clean(system, ctx, seed)
    encoding = spec.encoding if spec.encoding and spec.encoding.lower() not in ("utf-8", "utf-8-sig", "utf8") else None
    df, events = apply_field_noise(ext.df, system=system, roles=roles_for(spec), date_styles=ext.date_styles, cfg=cfg,
                                   rng=system_rng(seed, system, 1), xlsx=spec.format == "xlsx", encoding=encoding)
    return Extract(df, ext.date_styles), events


def _renumber_db(df: pl.DataFrame, spec: SystemSpec) -> pl.DataFrame:
    """DB systems: copies (duplicates, broken rows) get new primary-key values after the last one."""
    pk = spec.header_of(spec.primary_key[0])
    is_copy = (df["_kind"] != "ok").to_numpy()
    n_ok = int((~is_copy).sum())
    new_no = n_ok + np.cumsum(is_copy)
    if df.schema[pk].is_integer():
        vals = np.where(is_copy, new_no, df[pk].to_numpy())
        return df.with_columns(pl.Series(pk, vals, dtype=df.schema[pk]))
    width = max(len(str(v)) for v in df[pk].head(1).to_list()) - 1 if df.height else 11
    prefix = str(df[pk][0])[0] if df.height else "R"
    new_ids = pl.Series([f"{prefix}{int(k):0{width}d}" for k in new_no[is_copy]], dtype=pl.String)
    vals = df[pk].to_list()
    for pos, new in zip(np.flatnonzero(is_copy), new_ids.to_list()):
        vals[pos] = new
    return df.with_columns(pl.Series(pk, vals, dtype=pl.String))


def _fit_encoding(df: pl.DataFrame, spec: SystemSpec) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """A GBK file cannot hold every character: such a department's system stores '?' instead.

    Checked per column with one encode of the whole column; only a failing column is scanned value by value.
    Returns the frame and the `encoding_replaced` events (with `_pos`), or None when nothing was replaced.
    """
    enc = spec.encoding
    if spec.format != "csv" or not enc or enc.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8"):
        return df, None
    frames = []
    for col in spec.headers:
        if df.schema[col] != pl.String:
            continue
        values = df[col].to_list()
        try:
            "\n".join(v for v in values if v).encode(enc)
            continue
        except UnicodeEncodeError:
            pass
        pos, before, after = [], [], []
        for i, v in enumerate(values):
            if not v:
                continue
            fixed = v.encode(enc, errors="replace").decode(enc)
            if fixed != v:
                pos.append(i)
                before.append(v)
                after.append(fixed)
                values[i] = fixed
        df = df.with_columns(pl.Series(col, values, dtype=pl.String))
        frames.append(pl.DataFrame({"_pos": pl.Series(pos, dtype=pl.Int64), "kind": "encoding_replaced", "field": col,
                                    "before": before, "after": after},
                                   schema_overrides={"before": pl.String, "after": pl.String}))
    return df, (pl.concat(frames) if frames else None)


def write_system(system: str, ctx: Context, out: Path, cfg: NoiseConfig, seed: int, stamp: str | None = None) -> SystemOutput:
    """Build, noise and write one system under `out` (landing/... or db/...); returns its records and events."""
    spec = load_specs()[system]
    stamp = stamp or ctx.as_of.strftime("%Y%m%d")
    ext, field_events = build_noisy(system, ctx, cfg, seed)
    cfg = cfg.for_system(system)
    rng = system_rng(seed, system, 2)
    df = inject_rows(ext.df, spec, cfg.duplicate_row, cfg.broken_row, rng)
    req = required_field(spec)
    empty = (df["_kind"] == "broken") & (df["_how"] == "required_empty")
    req_before = df[req].cast(pl.String)
    df = df.with_columns(pl.when(pl.lit(empty)).then(None).otherwise(pl.col(req)).alias(req))
    df, encoding_events = _fit_encoding(df, spec)
    if spec.is_db:
        df = _renumber_db(df, spec)
        path = out / "db" / f"{system}.parquet"
    else:
        path = out / "landing" / spec.source_name(stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}.get(spec.extension)
    edited = write_xlsx(df, path, spec, ext.date_styles) if spec.extension == "xlsx" else writer(df, path, spec)  # type: ignore[misc]

    if spec.is_db:
        row_key = df[spec.header_of(spec.primary_key[0])].cast(pl.String)
    else:
        first = 2 if spec.format in ("csv", "xlsx") else 1
        row_key = pl.Series(np.arange(first, first + df.height).astype(str), dtype=pl.String)
    source = spec.source_name(stamp)
    kind = df["_kind"]
    records = pl.DataFrame({
        "system": system, "source": source, "row_key": row_key, "person_id": df["_person_id"], "house_id": df["_house_id"],
        "is_duplicate": kind == "duplicate", "is_broken": kind == "broken",
    }, schema=RECORD_SCHEMA)
    keyed = pl.DataFrame({"_rid": df["_rid"], "row_key": row_key, "_kind": kind, "_pos": np.arange(df.height)})
    events = [
        keyed.filter(pl.col("_kind") != "broken").join(field_events, on="_rid", how="inner")
        .select(pl.lit(system).alias("system"), "row_key", "kind", "field", "before", "after", "_pos"),
    ]
    originals = keyed.filter(pl.col("_kind") == "ok").select("_rid", pl.col("row_key").alias("_orig"))
    events.append(keyed.filter(pl.col("_kind") == "duplicate").join(originals, on="_rid", how="left", maintain_order="left").select(
        pl.lit(system).alias("system"), "row_key", pl.lit("duplicate_row").alias("kind"), pl.lit(None, pl.String).alias("field"),
        pl.col("_orig").alias("before"), pl.col("row_key").alias("after"), "_pos"))
    broken_pos = np.flatnonzero(empty.to_numpy())
    if len(broken_pos):
        events.append(pl.DataFrame({
            "system": system, "row_key": row_key.gather(broken_pos), "kind": "broken_row", "field": req,
            "before": req_before.gather(broken_pos), "after": pl.Series([""] * len(broken_pos), dtype=pl.String),
            "_pos": broken_pos}, schema_overrides={"field": pl.String, "before": pl.String}))
    if encoding_events is not None:
        events.append(encoding_events.with_columns(pl.lit(system).alias("system"), row_key.gather(
            encoding_events["_pos"]).alias("row_key")).select("system", "row_key", "kind", "field", "before", "after",
                                                               "_pos"))
    if edited:
        pos = sorted(edited)
        events.append(pl.DataFrame({
            "system": system, "row_key": row_key.gather(pos), "kind": "broken_row",
            "field": pl.Series([None] * len(pos), dtype=pl.String), "before": pl.Series([None] * len(pos), dtype=pl.String),
            "after": [edited[i] for i in pos], "_pos": pos}))
    ev = pl.concat([e.with_columns(pl.col("_pos").cast(pl.Int64)) for e in events], how="vertical_relaxed")
    last = pl.when(pl.col("kind") == "encoding_replaced").then(1).otherwise(0)
    ev = ev.sort(pl.col("_pos"), last, pl.col("kind"), pl.col("field"), nulls_last=True).drop("_pos").select(
        list(NOISE_SCHEMA))
    return SystemOutput(system=system, source=source, path=path, rows=df.height, records=records, events=ev)
