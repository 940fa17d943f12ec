"""A small generated city with its reference extracts (标准地址库, 区划名录; generate_city writes them), landed
into bronze once per session, and `dbt build` of the house models on it (twice, into two DuckDB files, for key
stability)."""

from __future__ import annotations

from collections.abc import Callable

import dbt_city as helpers
import polars as pl
import pytest

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.core.settings import Paths
from shequyun_synth.dbload import load_databases
from shequyun_synth.generate import generate_city
from shequyun_synth.reference import load_truth_city, write_reference_extracts

PERSONS = 2000
SEED = 20261126
HOUSE_MODELS = "+int_houses_resolved +int_house_records_resolved"


@pytest.fixture(scope="session")
def address_city(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The city, its two reference extracts and every system landed into Delta bronze."""
    root = tmp_path_factory.mktemp("address_city")
    generate_city(root, persons=PERSONS, seed=SEED, load_db=False, progress=False)
    paths = Paths(root)
    if not (paths.landing / "public_security" / "ps_standard_addresses").exists():  # a generator without the hook
        write_reference_extracts(load_truth_city(root / "truth"), root)
    with helpers.isolated_database_env() as (pg_dsn, mysql_dsn):
        load_databases(root, pg_dsn, mysql_dsn)
        generated = set(pl.read_parquet(paths.truth / "source_records.parquet", columns=["system"])["system"])
        for cfg in load_source_configs().values():
            if cfg.system not in generated and not (paths.landing / cfg.department / cfg.system).exists():
                continue
            result = load_system(cfg, paths)
            assert result.ok, (cfg.system, result.failures)
    return paths


@pytest.fixture(scope="session")
def house_build(address_city: Paths, tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], object]:
    """house_build(n): the n-th independent `dbt build` of the house models (cached per n)."""
    builds: dict[int, object] = {}

    def build(n: int = 1) -> object:
        if n not in builds:
            builds[n] = helpers.run_dbt_build(address_city, HOUSE_MODELS, tmp_path_factory.mktemp(f"house_build_{n}"))
        return builds[n]

    return build
