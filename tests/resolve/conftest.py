"""One small generated city for the resolution end-to-end tests: landed into Delta bronze (database systems
through a PostgreSQL schema and a MariaDB database of their own) and built by dbt up to the person clusters,
in a temporary folder with its own DuckDB file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connectors.config import load_source_configs
from connectors.landing import load_system
from shequyun.core.duck import dbt_environment, dbt_vars_args
from shequyun.core.settings import PROJECT_ROOT, Paths
from shequyun_synth.dbload import load_databases
from shequyun_synth.generate import generate_city
from shequyun_synth.testing import isolated_databases

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
RESOLVE_PERSONS = 2000
RESOLVE_SEED = 7


def dbt(paths: Paths, db: Path, work: Path, *args: str) -> str:
    """Run a dbt command on the city into `db`; fails the test with dbt's log when dbt fails."""
    env = dbt_environment()
    exe = Path(sys.executable).with_name("dbt")
    cmd = [str(exe), *args, *dbt_vars_args(paths.root, db), "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    proc = subprocess.run(cmd, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


@pytest.fixture(scope="module")
def resolved_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Paths, Path, Path]:
    """(paths, duckdb file, work folder) of a small city built by dbt up to the person resolution."""
    root = tmp_path_factory.mktemp("resolve_city")
    generate_city(root, persons=RESOLVE_PERSONS, seed=RESOLVE_SEED, load_db=False, progress=False)
    paths = Paths(root)
    with isolated_databases("rs") as (pg_dsn, mysql_dsn):
        load_databases(root, pg_dsn, mysql_dsn)
        for cfg in load_source_configs().values():
            result = load_system(cfg, paths)
            # a system the generator does not write (yet) has no file: nothing to land, not a failure here
            missing = all("no file matches" in str(f) for f in result.failures)
            assert result.ok or missing, (cfg.system, result.failures)
    work = tmp_path_factory.mktemp("resolve_dbt")
    db = work / "resolve.duckdb"
    dbt(paths, db, work, "build", "--select", "+int_person_link_decisions_applied")
    return paths, db, work


@pytest.fixture(scope="module")
def run_dbt():
    """The `dbt` helper, for tests that run dbt again on the city."""
    return dbt
