"""Contract test with the synthetic city generator: every emitted record lands at the row key the
generator's truth names, plainly broken rows are quarantined, nothing else is."""

from __future__ import annotations

import dataclasses
import json
import uuid

import polars as pl
import pytest
from conftest import MYSQL_DSN, PG_DSN

from connectors.config import load_source_configs
from connectors.landing import load_system, read_receipts
from shequyun.core.settings import Paths


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):
    from shequyun_synth import dbload
    from shequyun_synth.generate import generate_city

    root = tmp_path_factory.mktemp("city")
    generate_city(root, persons=3000, seed=5, progress=False)
    suffix = uuid.uuid4().hex[:10]
    pg_table, _ = dbload.load_postgres(root, PG_DSN, table=f"t_conn_pg_{suffix}")
    my_table, _ = dbload.load_mysql(root, MYSQL_DSN, table=f"t_conn_my_{suffix}")
    yield Paths(root), {"postgres": pg_table, "mysql": my_table}
    import psycopg
    import pymysql

    from connectors.mysql_reader import connect_args

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{pg_table}"')
    conn = pymysql.connect(**connect_args(MYSQL_DSN), autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS `{my_table}`")
    conn.close()


def test_generated_city_lands_losing_nothing(city) -> None:
    paths, tables = city
    truth = pl.read_parquet(paths.truth / "source_records.parquet")
    all_configs = load_source_configs()
    emitted = set(truth["system"].unique())
    assert emitted <= set(all_configs)  # every system the generator writes has a YAML
    assert len(emitted) >= 14
    configs = {system: cfg for system, cfg in all_configs.items() if system in emitted}
    for system, cfg in configs.items():
        if cfg.is_database:
            cfg = dataclasses.replace(cfg, table=tables[cfg.format])
        result = load_system(cfg, paths)
        assert result.failures == [], result.failures
        assert result.rows_read == result.rows_landed + result.rows_quarantined
        expected = truth.filter(pl.col("system") == system)
        assert result.rows_read == expected.height, system
        bronze = pl.read_delta(str(paths.bronze / system))
        qpath = paths.quarantine / system
        quarantined = pl.read_delta(str(qpath)) if qpath.exists() else None
        if cfg.is_database:
            key = cfg.primary_key[0]
            source_key = next(h for h, c in cfg.columns.items() if c == key)
            landed_keys = set(bronze[key])
            rejected_keys = {str(json.loads(raw)[source_key]) for raw in quarantined["raw"]} if quarantined is not None else set()
            broken_keys = set(expected.filter("is_broken")["row_key"])
            assert landed_keys | rejected_keys == set(expected["row_key"]), system
            assert rejected_keys == broken_keys, system
            continue
        landed = set(zip(bronze["_source"], bronze["_row_number"].cast(pl.String)))
        rejected = set(zip(quarantined["_source"], quarantined["_row_number"].cast(pl.String))) if quarantined is not None else set()
        every = set(zip(expected["source"], expected["row_key"]))
        broken = set(zip(*expected.filter("is_broken").select("source", "row_key").get_columns()))
        assert landed | rejected == every, system
        assert not landed & rejected
        assert broken <= rejected, system
        assert rejected == broken, (system, sorted(rejected - broken)[:5])
        duplicates = set(zip(*expected.filter("is_duplicate").select("source", "row_key").get_columns()))
        assert bronze.height - bronze["_row_hash"].n_unique() >= len(duplicates & landed), system

    # a second run lands nothing new
    for system, cfg in configs.items():
        if cfg.is_database:
            cfg = dataclasses.replace(cfg, table=tables[cfg.format])
        again = load_system(cfg, paths)
        assert again.rows_landed == 0 and again.failures == []
        assert {r.status for r in again.receipts} <= {"skipped_duplicate", "no_new_rows"}
    receipts = read_receipts(paths)
    assert receipts.filter(pl.col("status") == "landed").height == len(configs)
