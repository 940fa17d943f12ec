"""PostgreSQL and MariaDB readers against the real servers (127.0.0.1:5432 and :3306)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import psycopg
import pytest
from conftest import MYSQL_DSN, PG_DSN
from conn_helpers import assert_balanced, bronze, quarantine

from connectors.errors import SourceUnavailable
from connectors.landing import load_system, read_receipts

COLUMNS = {"id": "record_id", "xm": "person_name", "csrq": "birth_date", "je": "amount", "gxsj": "updated_at"}


def _db_cfg(make_cfg, fmt: str, dsn: str, table: str, **kw):
    return make_cfg(format=fmt, path=None, encoding=None, delimiter=None, dsn_default=dsn, table=table,
                    cursor="gxsj", columns=COLUMNS, **kw)


def _pg(sql: str, params: tuple = ()) -> None:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql, params)


def test_postgres_incremental_loads(paths, make_cfg, pg_table: str) -> None:
    _pg(f'CREATE TABLE "{pg_table}" (id int PRIMARY KEY, xm text, csrq date, je numeric(10,2), '
        'gxsj timestamp, bz text)')
    _pg(f"""INSERT INTO "{pg_table}" VALUES
        (1, '张三', '1950-01-02', 150.00, '2024-01-01 10:00:00', NULL),
        (2, '', '1951-03-04', NULL, '2024-01-01 11:00:00.5', ''),
        (3, E'多行\\n"引号",逗号', NULL, 0.5, '2024-01-01 09:00:00', '备注')""")
    cfg = _db_cfg(make_cfg, "postgres", PG_DSN, pg_table)
    first = load_system(cfg, paths)
    assert first.failures == []
    assert_balanced(first)
    r = first.receipts[0]
    assert (r.status, r.rows_landed, r.rows_quarantined) == ("landed", 2, 1)
    assert (r.cursor_from, r.cursor_to) == (None, "2024-01-01 11:00:00.5")
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["record_id"].to_list() == ["3", "1"]  # ordered by the cursor
    assert df["_row_number"].to_list() == [1, 2]
    assert df["person_name"].to_list() == ['多行\n"引号",逗号', "张三"]
    assert df["birth_date"].to_list() == [None, "1950-01-02"]
    assert df["amount"].to_list() == ["0.50", "150.00"]
    assert df["updated_at"].to_list() == ["2024-01-01 09:00:00", "2024-01-01 10:00:00"]
    assert df["bz"].to_list() == ["备注", None]  # extra column kept under its name; NULL stays null
    assert set(df["_source"]) == {pg_table}
    q = quarantine(paths, "t_people")
    assert q["field"].to_list() == ["person_name"] and '"bz":""' in q["raw"][0]

    second = load_system(cfg, paths)
    assert second.receipts[0].status == "no_new_rows" and second.rows_read == 0
    assert bronze(paths, "t_people").height == 2

    _pg(f"""INSERT INTO "{pg_table}" VALUES (4, '李四', NULL, NULL, '2024-01-02 08:00:00', NULL),
        (5, '早于游标', NULL, NULL, '2023-12-31 00:00:00', NULL)""")
    third = load_system(cfg, paths)
    r = third.receipts[0]
    assert (r.status, r.rows_landed, r.cursor_from, r.cursor_to) == (
        "landed", 1, "2024-01-01 11:00:00.5", "2024-01-02 08:00:00")
    assert sorted(bronze(paths, "t_people")["record_id"].to_list()) == ["1", "3", "4"]
    statuses = read_receipts(paths, "t_people")["status"].to_list()
    assert statuses == ["landed", "no_new_rows", "landed"]


def test_postgres_missing_table(paths, make_cfg, table_name: str) -> None:
    cfg = _db_cfg(make_cfg, "postgres", PG_DSN, table_name)
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    err = result.failures[0]
    assert not isinstance(err, SourceUnavailable)
    assert err.source == table_name and "table not found" in err.reason
    assert result.receipts[0].status == "failed"


def test_postgres_missing_cursor_column(paths, make_cfg, pg_table: str) -> None:
    _pg(f'CREATE TABLE "{pg_table}" (id int, xm text)')
    cfg = _db_cfg(make_cfg, "postgres", PG_DSN, pg_table)
    result = load_system(cfg, paths)
    assert result.failures[0].field == "gxsj"


def test_mysql_incremental_loads(paths, make_cfg, mysql_conn, mysql_table: str) -> None:
    with mysql_conn.cursor() as cur:
        cur.execute(f"CREATE TABLE `{mysql_table}` (id INT PRIMARY KEY, xm VARCHAR(50), csrq DATE, "
                    "je DECIMAL(10,2), gxsj DATETIME(3)) DEFAULT CHARSET=utf8mb4")
        cur.execute(f"""INSERT INTO `{mysql_table}` VALUES (1, '张三', '1950-01-02', 150.00, '2024-01-01 10:00:00'),
            (2, NULL, NULL, NULL, '2024-01-01 11:00:00.250'), (3, '王五', NULL, 0.5, '2024-01-01 09:00:00')""")
    cfg = _db_cfg(make_cfg, "mysql", MYSQL_DSN, mysql_table, chunk_rows=2)
    first = load_system(cfg, paths)
    assert first.failures == []
    assert_balanced(first)
    r = first.receipts[0]
    assert (r.rows_landed, r.rows_quarantined, r.cursor_to) == (2, 1, "2024-01-01 11:00:00.250")
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["record_id"].to_list() == ["3", "1"]
    assert df["person_name"].to_list() == ["王五", "张三"]
    assert df["birth_date"].to_list() == [None, "1950-01-02"]
    assert df["amount"].to_list() == ["0.50", "150.00"]
    assert load_system(cfg, paths).receipts[0].status == "no_new_rows"
    with mysql_conn.cursor() as cur:
        cur.execute(f"INSERT INTO `{mysql_table}` VALUES (4, '李四', NULL, NULL, '2024-01-03 00:00:00')")
    third = load_system(cfg, paths)
    assert third.rows_landed == 1 and third.receipts[0].cursor_from == "2024-01-01 11:00:00.250"
    assert bronze(paths, "t_people").height == 3


def test_mysql_missing_table(paths, make_cfg, table_name: str) -> None:
    cfg = _db_cfg(make_cfg, "mysql", MYSQL_DSN, table_name)
    result = load_system(cfg, paths)
    err = result.failures[0]
    assert not isinstance(err, SourceUnavailable) and "table not found" in err.reason and table_name in str(err)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections (kernel backlog) but never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("fmt", ["postgres", "mysql"])
def test_unreachable_server_fails_fast_with_masked_dsn(paths, make_cfg, fmt: str, silent_server: int) -> None:
    scheme = "postgresql" if fmt == "postgres" else "mysql"
    for port, limit in ((_closed_port(), 2.0), (silent_server, 6.0)):
        dsn = f"{scheme}://loader:s3cr3t@127.0.0.1:{port}/test"
        cfg = _db_cfg(make_cfg, fmt, dsn, "any_table")
        t0 = time.perf_counter()
        result = load_system(cfg, paths)
        elapsed = time.perf_counter() - t0
        assert elapsed < limit, elapsed
        assert len(result.failures) == 1
        err = result.failures[0]
        assert isinstance(err, SourceUnavailable) and "database server does not answer" in err.reason
        assert "s3cr3t" not in str(err) and f"{scheme}://loader:***@127.0.0.1:{port}/test" in str(err)
        assert result.receipts[-1].status == "failed" and "s3cr3t" not in result.receipts[-1].message


def test_postgres_query_source(paths, make_cfg, pg_table: str) -> None:
    _pg(f'CREATE TABLE "{pg_table}" (id int, xm text, gxsj timestamp, dept text)')
    _pg(f"""INSERT INTO "{pg_table}" VALUES (1, '张三', '2024-01-01', 'a'), (2, '李四', '2024-01-02', 'b'),
        (3, '王五', '2024-01-03', 'a')""")
    cfg = make_cfg(format="postgres", path=None, encoding=None, delimiter=None, dsn_default=PG_DSN,
                   query=f"SELECT id, xm, gxsj FROM \"{pg_table}\" WHERE dept = 'a'", cursor="gxsj", columns=COLUMNS)
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2
    assert bronze(paths, "t_people")["record_id"].to_list() == ["1", "3"]
    _pg(f"""INSERT INTO "{pg_table}" VALUES (4, '赵六', '2024-01-04', 'a'), (5, '钱七', '2024-01-05', 'b')""")
    again = load_system(cfg, paths)
    assert again.rows_landed == 1 and again.receipts[0].cursor_from == "2024-01-03 00:00:00"


def test_postgres_crash_before_receipt_recovers_the_cursor(paths, make_cfg, pg_table: str, monkeypatch) -> None:
    from connectors import landing

    _pg(f'CREATE TABLE "{pg_table}" (id int, xm text, gxsj timestamp)')
    _pg(f"""INSERT INTO "{pg_table}" VALUES (1, '张三', '2024-01-01 10:00'), (2, '李四', '2024-01-02 10:00')""")
    cfg = _db_cfg(make_cfg, "postgres", PG_DSN, pg_table)

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(landing, "_append_receipt", crash)
    with pytest.raises(RuntimeError):
        load_system(cfg, paths)
    monkeypatch.undo()
    assert bronze(paths, "t_people").height == 2
    result = load_system(cfg, paths)
    assert any("recovered the receipt" in w for w in result.warnings)
    assert result.receipts[0].status == "no_new_rows" and result.receipts[0].cursor_from == "2024-01-02 10:00:00"
    assert bronze(paths, "t_people").height == 2


def test_mysql_timestamp_columns_render_in_utc(paths, make_cfg, mysql_conn, mysql_table: str) -> None:
    """A TIMESTAMP column takes the PyMySQL path (UTC session); DATETIME tables go through connectorx."""
    with mysql_conn.cursor() as cur:
        cur.execute("SET time_zone = '+08:00'")
        cur.execute(f"CREATE TABLE `{mysql_table}` (id INT, xm VARCHAR(20), gxsj TIMESTAMP NULL, bz BLOB) "
                    "DEFAULT CHARSET=utf8mb4")
        cur.execute(f"INSERT INTO `{mysql_table}` VALUES (1, '张三', '2024-01-01 08:00:00', 'x'), "
                    "(2, '李四', '2024-01-01 09:30:00', NULL)")
    cfg = _db_cfg(make_cfg, "mysql", MYSQL_DSN, mysql_table, chunk_rows=1)
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["updated_at"].to_list() == ["2024-01-01 00:00:00", "2024-01-01 01:30:00"]  # +08:00 -> UTC
    assert df["bz"].to_list() == ["x", None]
    assert result.receipts[0].cursor_to == "2024-01-01 01:30:00"
    assert load_system(cfg, paths).receipts[0].status == "no_new_rows"
