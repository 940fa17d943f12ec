"""Per-test database namespaces: a PostgreSQL schema and a MariaDB database of their own, reached through the
same DSN environment variables the connectors read, so tests never clash on the systems' fixed table names."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pymysql
import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def isolated_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    name = f"it_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'create schema "{name}"')
    mysql = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
    with mysql.cursor() as cur:
        cur.execute(f"create database `{name}` character set utf8mb4")
    pg_dsn = f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{name}"
    mysql_dsn = f"mysql://root@127.0.0.1:3306/{name}"
    monkeypatch.setenv("SHEQUYUN_PG_DSN", pg_dsn)
    monkeypatch.setenv("SHEQUYUN_MYSQL_DSN", mysql_dsn)
    try:
        yield pg_dsn, mysql_dsn
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'drop schema "{name}" cascade')
        with mysql.cursor() as cur:
            cur.execute(f"drop database `{name}`")
        mysql.close()
