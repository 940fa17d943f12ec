"""The dbt city fixtures of tests/dbt/conftest.py (one small generated city landed once, `dbt build` per selection),
re-exported for the report-ledger tests (like tests/tags/conftest.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("dbt_city_fixtures", Path(__file__).parents[1] / "dbt" / "conftest.py")
assert _spec and _spec.loader
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures
_spec.loader.exec_module(_fixtures)

landed_city = _fixtures.landed_city
dbt_city = _fixtures.dbt_city
full_build = _fixtures.full_build
