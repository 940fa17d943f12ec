"""Suite-wide settings: telemetry off, no state leaking into the user's DAGSTER_HOME or data directory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
# commands need a data directory (no silent ./data): `make test` sets one; a bare `pytest` gets a scratch folder
os.environ.setdefault("SHEQUYUN_DATA_DIR", tempfile.mkdtemp(prefix="shequyun-test-data-"))

import pytest

# the dbt city: one small generated city landed once per worker; dbt_city(selection) builds a selection once;
# full_build is the whole project. Registered here only, so all test folders share the same builds.
from dbt_city import dbt_city, full_build, landed_city  # noqa: F401  (tests/ is on sys.path: rootdir conftest)


@pytest.fixture(autouse=True)
def _isolated_dagster_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
