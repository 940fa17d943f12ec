"""Loading the database systems into the running PostgreSQL and MariaDB (real servers, unique table names)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import polars as pl
import psycopg
import pytest

from shequyun.core.settings import mysql_dsn, pg_dsn
from shequyun_synth.dbload import DatabaseUnavailable, _mysql_connect, load_databases
from shequyun_synth.generate import generate_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dbcity")
    generate_city(out, persons=1500, seed=31, progress=False)
    return out


@pytest.fixture
def names():
    suffix = uuid.uuid4().hex[:8]
    tables = {"ps_population": f"ps_shiyou_renkou_t{suffix}", "ca_elderly_allowance": f"mz_lnzhjt_t{suffix}"}
    yield tables
    with psycopg.connect(pg_dsn()) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {tables['ps_population']}")
    conn = _mysql_connect(mysql_dsn())
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS `{tables['ca_elderly_allowance']}`")
    conn.commit()
    conn.close()


def test_round_trip_postgres_and_mariadb(city: Path, names: dict[str, str]) -> None:
    counts = load_databases(city, pg_dsn(), mysql_dsn(), tables=names)
    pop = pl.read_parquet(city / "db" / "ps_population.parquet")
    ell = pl.read_parquet(city / "db" / "ca_elderly_allowance.parquet")
    assert counts == {names["ps_population"]: pop.height, names["ca_elderly_allowance"]: ell.height}

    with psycopg.connect(pg_dsn()) as conn:
        types = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            (names["ps_population"],)).fetchall())
        rows = conn.execute(f"SELECT * FROM {names['ps_population']} ORDER BY rkbh").fetchall()
        cols = [d.name for d in conn.execute(f"SELECT * FROM {names['ps_population']} LIMIT 0").description]
    assert types["csrq"] == "date" and types["lhrq"] == "date"
    assert types["djsj"] == "timestamp without time zone"
    assert types["rkbh"] == "character varying" and types["xb"] == "character varying"
    assert cols == list(pop.columns)
    expected = pop.sort("rkbh").rows()
    assert rows == expected
    assert any(r[1] is None for r in rows) == (pop["xm"].null_count() > 0)

    conn = _mysql_connect(mysql_dsn())
    with conn.cursor() as cur:
        cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = DATABASE() AND table_name = %s", (names["ca_elderly_allowance"],))
        mtypes = {k.lower(): v.lower() for k, v in cur.fetchall()}
        cur.execute(f"SELECT * FROM `{names['ca_elderly_allowance']}` ORDER BY id")
        mrows = cur.fetchall()
    conn.close()
    assert mtypes["gxsj"] == "datetime" and mtypes["csrq"] == "date" and mtypes["sqrsfzh"] == "varchar"
    assert [tuple(r) for r in mrows] == ell.sort("id").rows()
    assert isinstance(mrows[0][4], date) and isinstance(mrows[0][11], datetime)


def test_reload_replaces_the_table(city: Path, names: dict[str, str]) -> None:
    first = load_databases(city, pg_dsn(), mysql_dsn(), tables=names)
    second = load_databases(city, pg_dsn(), mysql_dsn(), tables=names)
    assert first == second


def test_unreachable_server_is_named(city: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="PostgreSQL server at 127.0.0.1:1"):
        load_databases(city, "postgresql://postgres@127.0.0.1:1/test", mysql_dsn())
    with pytest.raises(DatabaseUnavailable, match="MariaDB/MySQL server at 127.0.0.1:1"):
        load_databases(city, pg_dsn(), "mysql://root@127.0.0.1:1/test",
                       tables={"ps_population": f"ps_unreach_{uuid.uuid4().hex[:8]}"})
    with psycopg.connect(pg_dsn()) as conn:   # nothing was loaded when one server is missing
        assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'ps_unreach_%'"
                            ).fetchone()[0] == 0


def test_mariadb_fallback_batches_and_literal_values(tmp_path: Path, names: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """When the server refuses LOAD DATA LOCAL, multi-row INSERT batches load the same rows; odd values survive."""
    import pymysql

    from shequyun_synth import dbload

    (tmp_path / "db").mkdir()
    rows = pl.DataFrame({
        "id": [1, 2, 3], "sqrxm": ["张三", None, "NULL\\N"], "sqrsfzh": ["310101195001011234", "", "a,\"b\""],
        "xb": ["男", "女", "男"], "csrq": [date(1950, 1, 1), None, date(1940, 2, 29)], "jtdc": ["70-79", "80-89", "100+"],
        "jtje": [150, 180, 600], "ffkssj": [date(2020, 1, 1)] * 3, "jzdz": ["黄浦区\\福州路1号", "x\ny", None],
        "lxdh": [None, "13900000000", "１３９"], "zt": ["发放中", "停发", "发放中"],
        "gxsj": [datetime(2026, 1, 1, 8, 0, 1)] * 3,
    })
    rows.write_parquet(tmp_path / "db" / "ca_elderly_allowance.parquet")
    for refuse in (False, True):
        if refuse:
            def no_infile(*args: object, **kwargs: object) -> None:
                raise pymysql.err.OperationalError(1148, "The used command is not allowed with this MariaDB version")

            monkeypatch.setattr(dbload, "_load_data_infile", no_infile)
        table, n = dbload.load_mysql(tmp_path, mysql_dsn(), names["ca_elderly_allowance"])
        assert (table, n) == (names["ca_elderly_allowance"], 3)
        conn = _mysql_connect(mysql_dsn())
        with conn.cursor() as cur:
            cur.execute(f"SELECT * FROM `{table}` ORDER BY id")
            got = [tuple(r) for r in cur.fetchall()]
        conn.close()
        assert got == rows.rows(), refuse
