"""Fixtures of tests/exports: the dbt city of tests/dbt/conftest.py (`landed_city`, `dbt_city`, `full_build`) and a
small hand-made thematic database for the ledgers under tests/exports/fixtures/project (`fixture_db`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from exports_fixture_db import FixtureDatabase, build_fixture_database

_spec = importlib.util.spec_from_file_location("dbt_city_fixtures", Path(__file__).parents[1] / "dbt" / "conftest.py")
assert _spec and _spec.loader
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures
_spec.loader.exec_module(_fixtures)

landed_city = _fixtures.landed_city
dbt_city = _fixtures.dbt_city
full_build = _fixtures.full_build


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> FixtureDatabase:
    """Three committees in two streets of two districts, the fixture ledgers, a stray row of no committee."""
    return build_fixture_database(tmp_path_factory.mktemp("exports_fixture") / "shequyun.duckdb")
