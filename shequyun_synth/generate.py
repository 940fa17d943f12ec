"""Generate a synthetic city: truth, department extracts with documented noise, manifest.

    generate_city(Path("data"), persons=20_000, seed=20261126)

Layout (SCHEMA.md): landing/<department>/<system>/<file>, db/<system>.parquet, truth/*.parquet,
manifest.json. Deterministic per (persons, seed, noise): the same inputs give the same bytes
(xlsx files too: their creation time is fixed).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from tqdm.auto import tqdm

from shequyun_synth.extracts import (
    NOISE_SCHEMA,
    RECORD_SCHEMA,
    SYSTEMS,
    Context,
    write_system,
)
from shequyun_synth.noise import NoiseConfig
from shequyun_synth.reference import reference_source_records, write_reference_extracts

GENERATOR_VERSION = "1.0.0"
AS_OF = date(2026, 11, 1)
log = logging.getLogger(__name__)


def _build_city(persons: int, seed: int) -> tuple[Any, str]:
    """The population truth (shequyun_synth.population); the small stand-in city only when that module is
    missing or SHEQUYUN_STANDIN_CITY=1 (development of the extracts)."""
    try:
        if os.environ.get("SHEQUYUN_STANDIN_CITY") == "1":
            raise ImportError("stand-in city requested")
        from shequyun_synth.population import build_city
    except ImportError:
        from shequyun_synth.extracts.testing import fake_city

        log.warning("shequyun_synth.population is not available: using the small stand-in city of extracts.testing")
        return fake_city(persons, seed), "shequyun_synth.extracts.testing.fake_city"
    return build_city(persons, seed, AS_OF), "shequyun_synth.population.build_city"


def write_truth_tables(city: Any, truth: Path) -> dict[str, int]:
    """truth/areas, houses, households and persons.parquet of a city; returns their row counts."""
    truth.mkdir(parents=True, exist_ok=True)
    truth_rows: dict[str, int] = {}
    for name in ("areas", "houses", "households", "persons"):
        frame: pl.DataFrame = getattr(city, name)
        frame.write_parquet(truth / f"{name}.parquet", compression="zstd")
        truth_rows[name] = frame.height
    return truth_rows


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def generate_city(out: Path, persons: int = 20000, seed: int = 20261126, noise: NoiseConfig | None = None,
                  load_db: bool = False, progress: bool = True) -> dict:
    """Write the city under `out`; returns the manifest (also written to out/manifest.json)."""
    out = Path(out)
    cfg = noise or NoiseConfig.default()
    cfg.validate()
    steps = ["population", "truth"] + list(SYSTEMS) + ["source records", "manifest"] + (["databases"] if load_db else [])
    bar = tqdm(total=len(steps), desc="generate", unit="step", disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)

    step("population")
    city, model = _build_city(persons, seed)
    bar.update()
    step("truth")
    truth = out / "truth"
    truth_rows = write_truth_tables(city, truth)
    ctx = Context.from_city(city, seed)
    # reference data: 公安 standard address register and 民政 division / committee list (no noise: registers)
    rows: dict[str, int] = write_reference_extracts(city, out)
    records, events = [reference_source_records(city)], []
    del city  # the context keeps what the extracts need
    bar.update()

    for system in SYSTEMS:
        step(system)
        res = write_system(system, ctx, out, cfg, seed)
        rows[str(res.path.relative_to(out))] = res.rows
        records.append(res.records)
        events.append(res.events)
        bar.update()

    step("source records")
    source_records = pl.concat(records) if records else pl.DataFrame(schema=RECORD_SCHEMA)
    noise_events = pl.concat(events) if events else pl.DataFrame(schema=NOISE_SCHEMA)
    source_records.write_parquet(truth / "source_records.parquet", compression="zstd")
    noise_events.write_parquet(truth / "noise.parquet", compression="zstd")
    truth_rows["source_records"] = source_records.height
    truth_rows["noise"] = noise_events.height
    bar.update()

    step("manifest")
    manifest: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "population_model": model,
        "seed": seed,
        "persons": persons,
        "as_of": ctx.as_of.isoformat(),
        "noise": {**cfg.rates(), "legacy15_systems": list(cfg.legacy15_systems),
                  "system_factors": cfg.system_factors},
        "rows": rows,
        "truth_rows": truth_rows,
        "noise_events": dict(sorted(noise_events.group_by("kind").len().iter_rows())),
    }
    _write_manifest(out, manifest)
    bar.update()

    if load_db:
        from shequyun.core.settings import mysql_dsn, pg_dsn
        from shequyun_synth.dbload import load_databases

        step("databases")
        manifest["loaded"] = load_databases(out, pg_dsn(), mysql_dsn())
        _write_manifest(out, manifest)
        bar.update()
    bar.close()
    return manifest
