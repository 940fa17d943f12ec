"""Helpers for tests (ours and a deployment's own): a generated city landed into bronze, in database
namespaces of its own so that parallel runs never clash on the systems' fixed table names."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pymysql

from shequyun.core.settings import Paths

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
MYSQL_ADMIN = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@contextmanager
def isolated_databases(prefix: str = "t") -> Iterator[tuple[str, str]]:
    """A PostgreSQL schema and a MariaDB database of their own, exported through SHEQUYUN_PG_DSN /
    SHEQUYUN_MYSQL_DSN (the variables the connectors read) for the duration of the block, then dropped."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'create schema "{name}"')
    mysql = pymysql.connect(autocommit=True, **MYSQL_ADMIN)
    with mysql.cursor() as cur:
        cur.execute(f"create database `{name}` character set utf8mb4")
    dsns = {
        "SHEQUYUN_PG_DSN": f"{PG_ADMIN_DSN}?options=-csearch_path%3D{name}",
        "SHEQUYUN_MYSQL_DSN": f"mysql://root@127.0.0.1:3306/{name}",
    }
    saved = {k: os.environ.get(k) for k in dsns}
    os.environ.update(dsns)
    try:
        yield dsns["SHEQUYUN_PG_DSN"], dsns["SHEQUYUN_MYSQL_DSN"]
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'drop schema "{name}" cascade')
        with mysql.cursor() as cur:
            cur.execute(f"drop database `{name}`")
        mysql.close()


def land_city(root: Path, persons: int, seed: int, *, prefix: str = "t") -> Paths:
    """Generate a city under `root` and land every configured system into Delta bronze (database systems
    through an isolated namespace). Fails with the system's errors if any system does not land."""
    from connectors.config import load_source_configs
    from connectors.landing import load_system
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    generate_city(root, persons=persons, seed=seed, load_db=False, progress=False)
    paths = Paths(root)
    with isolated_databases(prefix) as (pg_dsn, mysql_dsn):
        load_databases(root, pg_dsn, mysql_dsn)
        for cfg in load_source_configs().values():
            result = load_system(cfg, paths)
            if not result.ok:
                raise AssertionError(f"{cfg.system} did not land: {[str(f) for f in result.failures]}")
    return paths
