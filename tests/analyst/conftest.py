"""A CliRunner helper for the analyst commands and the analyst database published from the full build (the dbt city
fixtures come from tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture()
def cli():
    """cli(*args) runs `shequyun <args>` in process (CliRunner); stdout and stderr apart."""
    from click.testing import CliRunner

    from shequyun.cli import main

    def invoke(*args: object):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@dataclass(frozen=True)
class AnalystBuild:
    """The analyst database published (shequyun.analyst.publish) from the session's full build, in a data directory
    of its own (which holds the token secret)."""

    data_dir: Path
    path: Path
    raw: Path
    seconds: float


@pytest.fixture(scope="session")
def analyst_build(full_build, tmp_path_factory) -> AnalystBuild:
    from shequyun.analyst.publish import publish_analyst_database

    data_dir = tmp_path_factory.mktemp("analyst_data")
    publication = publish_analyst_database(full_build.duckdb_path, data_dir, warehouse=data_dir / "warehouse")
    return AnalystBuild(data_dir, publication.target, full_build.duckdb_path, publication.seconds)
