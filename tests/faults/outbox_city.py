"""A data directory whose thematic database is the hand-made one of tests/exports (its fixture ledgers, exported for
real in a second), every committee given a mailbox: for the fault tests of export and delivery (tests/faults)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from exports import catalogue

EXPORTS_TESTS = Path(__file__).resolve().parents[1] / "exports"


def fixture_db() -> ModuleType:
    """tests/exports/exports_fixture_db.py, loaded by path (its conftest does not reach tests/faults)."""
    if "exports_fixture_db" not in sys.modules:
        spec = importlib.util.spec_from_file_location("exports_fixture_db", EXPORTS_TESTS / "exports_fixture_db.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["exports_fixture_db"]


def outbox_data_dir(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """<root>/data with the hand-made thematic database; the exports read the fixture ledgers, in this process."""
    fixture = fixture_db()
    monkeypatch.setattr(catalogue, "DBT_PROJECT_DIR", fixture.FIXTURE_PROJECT)
    monkeypatch.setenv("SHEQUYUN_EXPORT_WORKERS", "1")
    for name in ("USER", "PASSWORD", "STARTTLS", "SSL"):
        monkeypatch.delenv(f"SHEQUYUN_SMTP_{name}", raising=False)
    database = root / "data" / "warehouse" / "shequyun.duckdb"
    database.parent.mkdir(parents=True)
    fixture.build_fixture_database(database)
    with duckdb.connect(str(database)) as con:
        con.execute("alter table marts.dim_area add column email varchar")
        con.execute("update marts.dim_area set email = code || '@jd.example.org' where level = 'committee'")
    return root / "data"
