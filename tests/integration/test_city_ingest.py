"""End to end: a generated city, its database systems in the real servers, the Dagster ingest job run twice.

Checks against the generator's ground truth: every source record is read; the rows the generator broke on
purpose, and only those, are quarantined; read = landed + quarantined for every system; a second run lands
nothing; a new database row lands alone through the incremental cursor.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import psycopg
import pytest
from deltalake import DeltaTable

from connectors.config import load_source_configs
from connectors.landing import read_receipts
from pipelines.run import run_ingest
from shequyun.core.settings import Paths
from shequyun_synth.dbload import load_databases
from shequyun_synth.generate import generate_city

PERSONS = 3000


def _delta(path: Path) -> pl.DataFrame:
    return pl.from_arrow(DeltaTable(str(path)).to_pyarrow_table())


@pytest.fixture
def city(tmp_path: Path, isolated_databases: tuple[str, str]) -> Paths:
    pg_dsn, mysql_dsn = isolated_databases
    generate_city(tmp_path, persons=PERSONS, seed=7, load_db=False, progress=False)
    load_databases(tmp_path, pg_dsn, mysql_dsn)
    return Paths(tmp_path)


def _quarantined_keys(paths: Paths, system: str) -> set[str]:
    cfg = load_source_configs()[system]
    table = paths.quarantine / system
    if not table.exists():
        return set()
    q = _delta(table)
    if cfg.format in {"postgres", "mysql"}:
        key = next(src for src, canonical in cfg.columns.items() if canonical == cfg.primary_key[0])
        return {str(json.loads(raw)[key]) for raw in q["raw"]}
    return {str(n) for n in q["_row_number"]}


def test_generated_city_lands_every_system_twice_without_duplicates(city: Paths, isolated_databases) -> None:
    configs = load_source_configs()
    assert len(configs) >= 12
    assert len({c.department for c in configs.values()}) >= 8

    first = run_ingest(city.root, None, skip_unavailable_databases=False)
    assert first.success, first.render()

    truth = pl.read_parquet(city.truth / "source_records.parquet")
    for system in configs:
        summary = first.system(system)
        assert summary.status == "landed", (system, summary)
        expected = truth.filter(pl.col("system") == system)
        assert summary.rows_read == expected.height, system
        assert summary.rows_read == summary.rows_landed + summary.rows_quarantined, system
        assert _delta(city.bronze / system).height == summary.rows_landed, system
        broken = set(expected.filter(pl.col("is_broken"))["row_key"].cast(pl.Utf8))
        assert _quarantined_keys(city, system) == broken, system

    receipts = read_receipts(city)
    assert (receipts["rows_read"] == receipts["rows_landed"] + receipts["rows_quarantined"]).all()

    second = run_ingest(city.root, None, skip_unavailable_databases=False)
    assert second.success, second.render()
    for system in configs:
        assert second.system(system).rows_landed == 0, system
        assert _delta(city.bronze / system).height == first.system(system).rows_landed, system

    # one new row in the PostgreSQL system arrives through the cursor, and only it
    pg_dsn, _ = isolated_databases
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "insert into ps_shiyou_renkou (rkbh, xm, xb, gmsfhm, djsj) values "
            "('R_NEW_1', '张新来', '1', '31011519900101001X', timestamp '2026-11-25 09:00:00')"
        )
    third = run_ingest(city.root, ["ps_population"], skip_unavailable_databases=False)
    assert third.success, third.render()
    assert third.system("ps_population").rows_landed == 1
    bronze = _delta(city.bronze / "ps_population")
    assert bronze.filter(pl.col("record_id") == "R_NEW_1")["person_name"].to_list() == ["张新来"]
