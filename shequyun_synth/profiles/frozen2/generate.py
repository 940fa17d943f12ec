"""Generate the frozen2 city: the default population with the profile's additions, delivered by the eight systems of
systems/*.yaml, with the truth of SCHEMA.md.

    generate_frozen2(Path("data"), persons=20_000, seed=20261126)

Layout: landing/<department>/<system>/<file> for the file systems, db/<system>.parquet for the PostgreSQL and MariaDB
tables (shequyun load-db creates and fills them), the reference registers of the default profile (公安 标准地址库, 民政
区划名录: registers, not department extracts), truth/*.parquet (plus truth/record_persons.parquet: every person a record
names, with its role) and manifest.json with "profile": "frozen2". Deterministic per (persons, seed).
"""

from __future__ import annotations

import json
import zlib
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from shequyun_synth.extracts import NOISE_SCHEMA, RECORD_SCHEMA
from shequyun_synth.extracts.context import Context
from shequyun_synth.extracts.writers import inject_rows
from shequyun_synth.generate import write_truth_tables
from shequyun_synth.population import AS_OF, build_city
from shequyun_synth.profiles.frozen2.builders import BUILDERS, random_names
from shequyun_synth.profiles.frozen2.noise import apply_noise
from shequyun_synth.profiles.frozen2.population import augment
from shequyun_synth.profiles.frozen2.spec import (
    Profile,
    System,
    frozen_digest,
    load_profile,
)
from shequyun_synth.profiles.frozen2.writers import (
    WRITERS,
    document_types,
    number_rows,
    render,
    renumber_db,
)
from shequyun_synth.reference import reference_source_records, write_reference_extracts

GENERATOR_VERSION = "frozen2-1.0.0"
PERSON_ROLE_SCHEMA = {"system": pl.String, "source": pl.String, "row_key": pl.String, "role": pl.String,
                      "person_id": pl.String}
_CN_DIGITS = "〇一二三四五六七八九"


def system_rng(seed: int, system: str, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"frozen2:{system}".encode()), stream])


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _texts(ctx: Context, rng: np.random.Generator) -> dict[str, str]:
    """The values of the title and notes rows' placeholders."""
    clerk, reviewer = random_names(ctx, rng, 2).to_list()
    last = ctx.as_of - timedelta(days=1)
    return {"year": str(ctx.as_of.year), "as_of_cn": _cn_date(ctx.as_of), "last_day_cn": _cn_date(last),
            "last_day_iso": last.isoformat(), "clerk": clerk, "reviewer": reviewer}


def write_system(system: System, ctx: Context, profile: Profile, out: Path, seed: int, stamp: str) -> dict[str, Any]:
    """Build, render, noise and write one system; returns rows, records, record_persons, events and noise counts."""
    name = system.system
    df = BUILDERS[name](ctx, system_rng(seed, name, 0))
    df = df.with_row_index("_rid").with_columns(pl.col("_rid").cast(pl.Int64))
    df = render(df, system, ctx, profile)
    df, field_events, counts = apply_noise(df, system, system_rng(seed, name, 1))
    df = inject_rows(df, SimpleNamespace(format=system.format), system.rows.get("duplicate_row", 0.0),
                     system.rows.get("broken_row", 0.0), system_rng(seed, name, 2))
    req = system.required
    empty = ((df["_kind"] == "broken") & (df["_how"] == "required_empty")).fill_null(False)
    req_before = df[req].cast(pl.String)
    df = df.with_columns(pl.when(pl.lit(empty)).then(None).otherwise(pl.col(req)).alias(req))
    df = number_rows(document_types(df, system, field_events), system)
    if system.is_db:
        df = renumber_db(df, system)
    path = out / system.output_path(stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    edited = WRITERS[system.format](df, path, system, texts=_texts(ctx, system_rng(seed, name, 3)))

    if system.is_db:
        assert system.primary_key is not None
        row_key = df[system.primary_key].cast(pl.String)
    else:
        row_key = pl.Series(np.arange(system.first_data_row, system.first_data_row + df.height).astype(str), dtype=pl.String)
    source = system.source_name(stamp)
    kind = df["_kind"]
    records = pl.DataFrame({"system": name, "source": source, "row_key": row_key, "person_id": df["_person_id"],
                            "house_id": df["_house_id"], "is_duplicate": kind == "duplicate", "is_broken": kind == "broken"},
                           schema=RECORD_SCHEMA)
    roles = [records.filter(pl.col("person_id").is_not_null()).select("system", "source", "row_key", pl.lit("subject").alias("role"),
                                                                      "person_id")]
    for role, fld in system.persons.items():
        roles.append(pl.DataFrame({"system": name, "source": source, "row_key": row_key, "role": role,
                                   "person_id": df[fld]}, schema=PERSON_ROLE_SCHEMA).filter(pl.col("person_id").is_not_null()))

    keyed = pl.DataFrame({"_rid": df["_rid"], "row_key": row_key, "_kind": kind, "_pos": np.arange(df.height),
                          "_person_id": df["_person_id"], "_twin_of": df["_twin_of"]})
    whole = keyed.filter(pl.col("_kind") != "broken")
    events = [
        whole.join(field_events, on="_rid", how="inner").select("row_key", "kind", "field", "before", "after", "_pos"),
        whole.filter(pl.col("_twin_of").is_not_null()).select(
            "row_key", pl.lit("twin").alias("kind"), pl.lit(None, pl.String).alias("field"),
            pl.col("_twin_of").alias("before"), pl.col("_person_id").alias("after"), "_pos"),
    ]
    originals = keyed.filter(pl.col("_kind") == "ok").select("_rid", pl.col("row_key").alias("_orig"))
    events.append(keyed.filter(pl.col("_kind") == "duplicate").join(originals, on="_rid", how="left", maintain_order="left")
                  .select("row_key", pl.lit("duplicate_row").alias("kind"), pl.lit(None, pl.String).alias("field"),
                          pl.col("_orig").alias("before"), pl.col("row_key").alias("after"), "_pos"))
    broken_pos = np.flatnonzero(empty.to_numpy())
    if len(broken_pos):
        events.append(pl.DataFrame({"row_key": row_key.gather(broken_pos), "kind": "broken_row", "field": req,
                                    "before": req_before.gather(broken_pos), "after": [""] * len(broken_pos),
                                    "_pos": broken_pos}, schema_overrides={"field": pl.String, "before": pl.String}))
    if edited:
        pos = sorted(edited)
        events.append(pl.DataFrame({"row_key": row_key.gather(pos), "kind": "broken_row",
                                    "field": pl.Series([None] * len(pos), dtype=pl.String),
                                    "before": pl.Series([None] * len(pos), dtype=pl.String),
                                    "after": [edited[i] for i in pos], "_pos": pos}))
    ev = pl.concat([e.with_columns(pl.col("_pos").cast(pl.Int64)) for e in events], how="vertical_relaxed")
    ev = ev.sort("_pos", "kind", "field", nulls_last=True).select(pl.lit(name).alias("system"), "row_key", "kind", "field",
                                                                  "before", "after")
    noise = {h: {} for h in system.headers}
    for (h, k), (eligible, fired) in counts.items():
        noise[h][k] = {"rate": system.column(h).noise[k], "eligible": eligible, "events": fired}
    for k, rate in system.rows.items():
        noise.setdefault("rows", {})[k] = {"rate": rate, "eligible": int((kind == "ok").sum()),
                                           "events": int((kind == ("duplicate" if k == "duplicate_row" else "broken")).sum())}
    return {"path": path, "rows": df.height, "records": records, "roles": pl.concat(roles, how="vertical"), "events": ev,
            "noise": {h: v for h, v in noise.items() if v}}


def database_tables() -> list[Any]:
    """The profile's database systems for shequyun_synth.dbload (db/<system>.parquet -> table, SQL types, cursor)."""
    from shequyun_synth.dbload import DbTable

    return [DbTable(system=s.system, engine=s.format, table=s.table, types={c.header: c.sql for c in s.columns},
                    cursor=s.cursor, comment=f"{s.title} (synthetic)")
            for s in load_profile().systems.values() if s.is_db and s.table and s.cursor]


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def generate_frozen2(out: Path, persons: int = 20000, seed: int = 20261126, load_db: bool = False,
                     progress: bool = True) -> dict[str, Any]:
    """Write the frozen2 city under `out`; returns the manifest (also out/manifest.json)."""
    out = Path(out)
    profile = load_profile()
    steps = ["population", "truth", *profile.systems, "manifest"] + (["databases"] if load_db else [])
    bar = tqdm(total=len(steps), desc="generate frozen2", unit="step", disable=not progress)

    bar.set_postfix_str("population")
    city = augment(build_city(persons, seed, AS_OF), seed, profile.population, persons)
    bar.update()
    bar.set_postfix_str("truth")
    truth = out / "truth"
    truth_rows = write_truth_tables(city, truth)
    p = city.persons
    population = {"twin_pairs": int(p["twin_of"].is_not_null().sum()) // 2,
                  "foreign_residents": int(p["passport_no"].is_not_null().sum()),
                  "id_corrected": int(p["former_id_number"].is_not_null().sum()),
                  "travel_permits": int(p["travel_permit_no"].is_not_null().sum())}
    ctx = Context.from_city(city, seed)
    rows: dict[str, int] = write_reference_extracts(city, out)
    records, roles, events = [reference_source_records(city)], [], []
    bar.update()

    stamp = ctx.as_of.strftime("%Y%m%d")
    systems: dict[str, Any] = {}
    noise: dict[str, Any] = {}
    for system in profile.systems.values():
        bar.set_postfix_str(system.system)
        res = write_system(system, ctx, profile, out, seed, stamp)
        rows[str(res["path"].relative_to(out))] = res["rows"]
        records.append(res["records"])
        roles.append(res["roles"])
        events.append(res["events"])
        noise[system.system] = res["noise"]
        systems[system.system] = {"title": system.title, "department": system.department_title, "format": system.format,
                                  "source": system.source_name(stamp), "path": str(res["path"].relative_to(out))}
        bar.update()

    bar.set_postfix_str("manifest")
    source_records = pl.concat(records)
    noise_events = pl.concat(events) if events else pl.DataFrame(schema=NOISE_SCHEMA)
    record_persons = pl.concat(roles) if roles else pl.DataFrame(schema=PERSON_ROLE_SCHEMA)
    source_records.write_parquet(truth / "source_records.parquet", compression="zstd")
    noise_events.write_parquet(truth / "noise.parquet", compression="zstd")
    record_persons.write_parquet(truth / "record_persons.parquet", compression="zstd")
    truth_rows.update(source_records=source_records.height, noise=noise_events.height, record_persons=record_persons.height)
    manifest: dict[str, Any] = {
        "profile": profile.name,
        "profile_version": profile.version,
        "profile_digest": frozen_digest(),
        "generator_version": GENERATOR_VERSION,
        "population_model": "shequyun_synth.population.build_city + shequyun_synth.profiles.frozen2.population.augment",
        "seed": seed,
        "persons": persons,
        "as_of": ctx.as_of.isoformat(),
        "population": population,
        "systems": systems,
        "rows": rows,
        "truth_rows": truth_rows,
        "noise_events": dict(sorted(noise_events.group_by("kind").len().iter_rows())),
        "noise": noise,
    }
    _write_manifest(out, manifest)
    bar.update()

    if load_db:
        from shequyun.core.settings import mysql_dsn, pg_dsn
        from shequyun_synth.dbload import load_databases

        bar.set_postfix_str("databases")
        manifest["loaded"] = load_databases(out, pg_dsn(), mysql_dsn())
        _write_manifest(out, manifest)
        bar.update()
    bar.close()
    return manifest
