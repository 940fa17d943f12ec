"""Fixtures of tests/exports: a small hand-made thematic database for the ledgers under tests/exports/fixtures/project
(`fixture_db`); the dbt city fixtures (`full_build` ...) come from tests/conftest.py."""

from __future__ import annotations

import pytest
from exports_fixture_db import FixtureDatabase, build_fixture_database


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> FixtureDatabase:
    """Three committees in two streets of two districts, the fixture ledgers, a stray row of no committee."""
    return build_fixture_database(tmp_path_factory.mktemp("exports_fixture") / "shequyun.duckdb")
