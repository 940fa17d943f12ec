"""The shared dbt city (registered once, in tests/conftest.py, so every test folder of a worker shares one build):
one small generated city, landed into Delta bronze once per session (database systems
through a PostgreSQL schema and a MariaDB database of their own), and `dbt build` runs on it, one per selection.

    def test_x(dbt_city):
        build = dbt_city("+int_person_records")     # built once per session and selection, then cached
        df = build.query("select * from intermediate.int_person_records")
        truth = build.paths.truth / "persons.parquet"

dbt runs in a subprocess against the project in dbt_project/ with its own DuckDB file, target and log folders
in a temporary directory, so it never touches the developer's data or dbt_project/target.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.core.duck import (
    dbt_environment,
    dbt_vars_args,
    extension_directory,
    folded_tests_excluded,
)
from shequyun.core.settings import PROJECT_ROOT, Paths
from shequyun_synth.dbload import load_databases
from shequyun_synth.generate import generate_city
from shequyun_synth.testing import isolated_databases

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
CITY_PERSONS = 2000
CITY_SEED = 20261126
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class DbtBuild:
    """The result of one `dbt build --select <selection>` on the session's city."""

    paths: Paths
    duckdb_path: Path
    selection: str
    seconds: float
    log: str

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.duckdb_path), read_only=True,
                             config={"extension_directory": extension_directory(), "autoinstall_known_extensions": False})
        con.execute("load delta")
        return con

    def query(self, sql: str) -> pl.DataFrame:
        with self.connect() as con:
            return con.sql(sql).pl()


def isolated_database_env():
    """A PostgreSQL schema and a MariaDB database of their own (shequyun_synth.testing.isolated_databases)."""
    return isolated_databases("dbt")


def land_city(root: Path, persons: int = CITY_PERSONS, seed: int = CITY_SEED) -> Paths:
    """Generate a city under `root` and land every system it emits (files and both databases) into Delta bronze."""
    generate_city(root, persons=persons, seed=seed, load_db=False, progress=False)
    paths = Paths(root)
    with isolated_database_env() as (pg_dsn, mysql_dsn):
        load_databases(root, pg_dsn, mysql_dsn)
        generated = set(pl.read_parquet(paths.truth / "source_records.parquet", columns=["system"])["system"])
        for cfg in load_source_configs().values():
            if cfg.system not in generated:   # a configured system the generator does not emit (yet)
                continue
            result = load_system(cfg, paths)
            assert result.ok, (cfg.system, result.failures)
            assert result.rows_landed > 0, cfg.system
    return paths


def run_dbt_build(paths: Paths, selection: str, work: Path) -> DbtBuild:
    """`dbt build --select selection` into work/shequyun.duckdb; fails the test with dbt's log when dbt fails."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "shequyun.duckdb"
    env = dbt_environment()
    dbt = Path(sys.executable).with_name("dbt")
    # cautious: a test of a model outside the selection that also refers to a selected one is not run
    # the column tests run folded into column_tests, as in the platform's build (tests/dbt/test_column_tests.py runs
    # both ways and compares them)
    cmd = [str(dbt), "build", *dbt_vars_args(paths.root, db), "--select", selection, *folded_tests_excluded(),
           "--indirect-selection", "cautious", "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        pytest.fail(f"dbt build --select {selection} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    return DbtBuild(paths, db, selection, seconds, proc.stdout)


@pytest.fixture(scope="session")
def landed_city(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A small generated city (CITY_PERSONS persons), every system landed into bronze."""
    return land_city(tmp_path_factory.mktemp("dbt_city"))


@pytest.fixture(scope="session")
def dbt_city(landed_city: Paths, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], DbtBuild]:
    """A factory: dbt_city(selection) runs `dbt build --select selection` once per session and returns the build."""
    builds: dict[str, DbtBuild] = {}

    def build(selection: str = "+int_person_records") -> DbtBuild:
        if selection not in builds:
            work = tmp_path_factory.mktemp("dbt_build")
            builds[selection] = run_dbt_build(landed_city, selection, work)
        return builds[selection]

    return build


FULL_BUILD = "fqn:*"


@pytest.fixture(scope="session")
def full_build(dbt_city: Callable[[str], DbtBuild]) -> DbtBuild:
    """The whole project (seeds, every model, snapshot and dbt test) built once per session on the small city.
    Tests of marts, ledgers, visits, policies and exports share it, so a worker builds the city only once."""
    return dbt_city(FULL_BUILD)


def build_rendered_project(sources: Path, data_dir: Path, root: Path) -> tuple[Path, Path, str]:
    """Render the dbt project of a deployment whose connector YAMLs are `sources` (connectors.deployment.sync_project,
    the platform's own mechanism) under `root`, and `dbt build` all of it over `data_dir` into a new database.
    Returns (database, project, dbt's output); fails the test with dbt's output when the build fails."""
    from connectors.deployment import sync_project
    from shequyun.core.duck import dbt_environment, dbt_vars_args

    project = root / "dbt_project"
    sync_project(sources, project)
    db = root / "shequyun.duckdb"
    cmd = [str(Path(sys.executable).with_name("dbt")), "build", *dbt_vars_args(data_dir, db),
           "--project-dir", str(project), "--profiles-dir", str(project),
           "--target-path", str(root / "target"), "--log-path", str(root / "logs")]
    proc = subprocess.run(cmd, cwd=project, env=dbt_environment(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"dbt build of the project rendered from {sources} failed:\n{proc.stdout[-8000:]}")
    return db, project, proc.stdout
