"""generate_city: layout, manifest, determinism per seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from connectors.config import load_source_configs
from shequyun.core.settings import PROJECT_ROOT
from shequyun_synth.generate import GENERATOR_VERSION, generate_city
from shequyun_synth.noise import NoiseConfig

PERSONS = 1200


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def _xlsx_content(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    manifest = generate_city(a, persons=PERSONS, seed=4242, progress=True)
    # the second run in another process with another hash seed: nothing may depend on either
    code = ("from pathlib import Path; from shequyun_synth.generate import generate_city; "
            f"generate_city(Path({str(b)!r}), persons={PERSONS}, seed=4242, progress=False)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=PROJECT_ROOT, timeout=600)
    return a, b, manifest


def test_layout_and_manifest(twice: tuple[Path, Path, dict]) -> None:
    a, _, manifest = twice
    on_disk = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["seed"] == 4242 and manifest["persons"] == PERSONS
    assert manifest["generator_version"] == GENERATOR_VERSION
    assert manifest["noise"]["id_substitution"] == NoiseConfig.default().id_substitution
    for name in ("areas", "houses", "households", "persons", "source_records", "noise"):
        assert (a / "truth" / f"{name}.parquet").exists()
    persons = pl.read_parquet(a / "truth" / "persons.parquet")
    assert persons.height == manifest["truth_rows"]["persons"] > 0
    records = pl.read_parquet(a / "truth" / "source_records.parquet")
    configs = load_source_configs()
    assert len(manifest["rows"]) == len(configs)  # one extract per configured system
    landing = [k for k in manifest["rows"] if k.startswith("landing/")]
    assert len(landing) == sum(not c.is_database for c in configs.values())
    assert all((a / k).exists() for k in manifest["rows"])
    assert sorted(k for k in manifest["rows"] if k.startswith("db/")) == ["db/ca_elderly_allowance.parquet",
                                                                           "db/ps_population.parquet"]
    per_source = dict(records.group_by("source").len().iter_rows())
    for key, rows in manifest["rows"].items():
        source = key.removeprefix("landing/")
        if key.startswith("db/"):
            source = {"db/ps_population.parquet": "ps_shiyou_renkou", "db/ca_elderly_allowance.parquet": "mz_lnzhjt"}[key]
        assert per_source.get(source, 0) == rows, key
    assert "ps_hukou_20261101.csv" in " ".join(landing)
    assert sum(manifest["noise_events"].values()) == pl.read_parquet(a / "truth" / "noise.parquet").height


def test_same_seed_same_bytes(twice: tuple[Path, Path, dict]) -> None:
    a, b, _ = twice
    fa, fb = _files(a), _files(b)
    assert fa.keys() == fb.keys()
    for name, path in fa.items():
        if name.endswith(".xlsx"):
            assert _xlsx_content(path) == _xlsx_content(fb[name]), name
        else:
            assert path.read_bytes() == fb[name].read_bytes(), name


def test_other_seed_other_city(twice: tuple[Path, Path, dict], tmp_path: Path) -> None:
    a, _, _ = twice
    generate_city(tmp_path, persons=PERSONS, seed=4243, progress=False)
    name = "truth/persons.parquet"
    assert not pl.read_parquet(a / name).equals(pl.read_parquet(tmp_path / name))
    hukou_a = next((a / "landing").rglob("ps_hukou_*.csv")).read_bytes()
    hukou_c = next((tmp_path / "landing").rglob("ps_hukou_*.csv")).read_bytes()
    assert hukou_a != hukou_c


def test_zero_noise_has_no_events_and_no_flags(tmp_path: Path) -> None:
    generate_city(tmp_path, persons=600, seed=1, noise=NoiseConfig.zero(), progress=False)
    assert pl.read_parquet(tmp_path / "truth" / "noise.parquet").height == 0
    rec = pl.read_parquet(tmp_path / "truth" / "source_records.parquet")
    assert not rec["is_duplicate"].any() and not rec["is_broken"].any()


def test_load_db_uses_the_settings_dsns_and_progress_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from shequyun_synth import dbload

    calls = []
    monkeypatch.setenv("SHEQUYUN_PG_DSN", "postgresql://someone@10.0.0.1:5433/x")
    monkeypatch.setenv("SHEQUYUN_MYSQL_DSN", "mysql://other@10.0.0.2:3307/y")
    monkeypatch.setattr(dbload, "load_databases", lambda out, pg, my: calls.append((out, pg, my)) or {"t": 1})
    manifest = generate_city(tmp_path, persons=300, seed=3, load_db=True, progress=True)
    assert calls == [(tmp_path, "postgresql://someone@10.0.0.1:5433/x", "mysql://other@10.0.0.2:3307/y")]
    assert manifest["loaded"] == {"t": 1}
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == manifest
    err = capsys.readouterr().err
    assert "generate" in err and "step" in err
