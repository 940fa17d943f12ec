"""Fixtures for connector tests: a temporary data directory, YAML-defined test systems, database tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from connectors.config import SourceConfig, load_source_config
from shequyun.core.settings import Paths

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
MYSQL_DSN = "mysql://root@127.0.0.1:3306/test"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    data = tmp_path / "data"
    (data / "landing").mkdir(parents=True)
    return Paths(data)


@pytest.fixture
def make_cfg(tmp_path: Path) -> Callable[..., SourceConfig]:
    """Write a YAML source config into a temp dir and load it through the real loader."""
    counter = iter(range(1000))

    def _make(**overrides) -> SourceConfig:
        raw = {
            "system": "t_people",
            "title": "测试系统",
            "department": "test_dept",
            "department_title": "测试部门",
            "format": "csv",
            "path": "test_dept/t_people/*.csv",
            "encoding": "utf-8",
            "delimiter": ",",
            "columns": {"编号": "record_id", "姓名": "person_name", "身份证号": "id_number", "电话": "phone"},
            "required": ["record_id", "person_name"],
            "primary_key": ["record_id"],
        }
        raw.update(overrides)
        raw = {k: v for k, v in raw.items() if v is not None}
        directory = tmp_path / f"sources_{next(counter)}"
        directory.mkdir()
        file = directory / f"{raw['system']}.yaml"
        file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return load_source_config(file)

    return _make


@pytest.fixture
def table_name() -> str:
    return f"t_conn_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_table(table_name: str) -> Iterator[str]:
    import psycopg

    yield table_name
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{table_name}"')


@pytest.fixture
def mysql_conn():
    import pymysql

    from connectors.mysql_reader import connect_args

    conn = pymysql.connect(**connect_args(MYSQL_DSN), autocommit=True)
    yield conn
    conn.close()


@pytest.fixture
def mysql_table(table_name: str, mysql_conn) -> Iterator[str]:
    yield table_name
    with mysql_conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS `{table_name}`")
