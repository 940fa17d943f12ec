"""as_of is decided once: the var in dbt_project.yml, read by models only through the macro as_of(), recorded in
build_info and read back by one function (shequyun.core.build_info). No date literal elsewhere in the models,
macros or production Python; date constants live in macros/date_constants.sql."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from shequyun.core.build_info import BuildInfoMissing, build_as_of, read_build_info
from shequyun.core.settings import DBT_PROJECT_DIR, PROJECT_ROOT

ISO_DATE = re.compile(r"(?:1[89]|20|99)\d\d-[01]\d(?:-[0-3]\d)?")
SQL_DATE = re.compile(r"\bdate\s+'\d{4}-\d\d-\d\d'", re.IGNORECASE)
PRODUCTION = ["shequyun", "connectors", "quality", "exports", "pipelines"]


def _sql_files() -> list[Path]:
    return sorted(p for folder in ("models", "macros") for p in (DBT_PROJECT_DIR / folder).rglob("*.sql"))


def test_models_read_as_of_only_through_the_macro() -> None:
    readers = [p.relative_to(DBT_PROJECT_DIR).as_posix() for p in _sql_files() if re.search(r"var\(\s*['\"]as_of", p.read_text(encoding="utf-8"))]
    assert readers == ["macros/as_of.sql"]


def test_no_date_literal_in_models_and_macros() -> None:
    found = [f"{p.relative_to(DBT_PROJECT_DIR)}: {m.group(0)}" for p in _sql_files()
             if p.name != "date_constants.sql" for m in SQL_DATE.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def test_no_date_literal_in_production_python() -> None:
    """No string constant that is a date (2026-11-01, 2026-11) in the platform's code: a day comes from build_info or
    from a named setting (pipelines.partitions.FIRST_DELIVERY_YEAR), never from a literal."""
    found = []
    for package in PRODUCTION:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and ISO_DATE.fullmatch(node.value):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {node.value}")
    assert found == []


def test_build_info_is_read_by_one_function(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.build_info as select date '2026-11-01' as as_of,
                       timestamptz '2026-11-02 02:00:00+08' as built_at, 'v' as code_version,
                       [{'system': 'a', 'batches_landed': 1}] as source_batches""")
    info = read_build_info(db)
    assert (info.as_of.isoformat(), info.code_version, info.source_batches[0]["system"]) == ("2026-11-01", "v", "a")
    assert build_as_of(db).isoformat() == "2026-11-01"
    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old)).close()
    with pytest.raises(BuildInfoMissing, match="rebuild"):
        read_build_info(old)
