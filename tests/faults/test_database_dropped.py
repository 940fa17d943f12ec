"""Fault injection (issue 13 item 5), a database server that stops mid-load: the PostgreSQL and the MariaDB system are
reported failed with a message naming the system, the table and the lost connection, nothing of the interrupted
read lands (bronze and receipts' row counts as before it), the file systems of the same ingest land all the same,
and an ingest through a healthy connection then lands exactly what an undisturbed ingest lands.

The shared servers are never stopped (other tests use them): a TCP proxy (a thread of this test) stands between the
connectors and each server, passes the bytes both ways, and stops the "server" on its own: once one connection has
carried `cut_after` bytes from the server, every connection through it is reset (RST) and no new one is accepted.
The cut is placed at half of what the biggest connection of an undisturbed ingest carried; the two tables are
padded to a few thousand rows so that the rows, not the handshake, make those bytes - the cut falls mid-transfer.
Rows are compared by (system, source, row number, row hash), like tests/faults/test_kill_ingest.py.
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg
import pymysql
import pytest
from test_kill_ingest import snapshot

from shequyun_synth.testing import isolated_databases

SHEQUYUN = str(Path(sys.executable).with_name("shequyun"))
DATABASE_SYSTEMS = {"ps_population": "ps_shiyou_renkou", "ca_elderly_allowance": "mz_lnzhjt"}
FILE_SYSTEMS = ["ps_hukou", "ca_tekun"]
PADDED_ROWS = 4000          # rows of each database table: a few hundred kB through the proxy


class Proxy:
    """127.0.0.1:<port> -> 127.0.0.1:<upstream>, one thread per connection pumping both ways. Counts what the server
    sends on each connection (`most`: the most any connection carried). With `cut_after`, the first connection to
    carry that many bytes from the server trips it: that chunk is cut short, every connection is reset (RST: linger
    0, then close, by the thread that owns the sockets) and the listening socket closed - what a client sees when
    the server process stops."""

    def __init__(self, upstream: int, cut_after: int | None = None) -> None:
        self.upstream = upstream
        self.cut_after = cut_after
        self.most = 0
        self.tripped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:         # closed: the server stopped
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        carried = 0
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, server)
            selector.register(server, selectors.EVENT_READ, client)
            try:
                while not self.tripped.is_set():
                    for key, _ in selector.select(timeout=0.05):
                        source, target = key.fileobj, key.data
                        chunk = source.recv(65536)   # type: ignore[union-attr]
                        if not chunk:                # a clean close on one side: closed on the other
                            return
                        if source is server:
                            if self.cut_after is not None and carried + len(chunk) >= self.cut_after:
                                target.sendall(chunk[: self.cut_after - carried])
                                self.tripped.set()
                                self._listener.close()
                                break
                            carried += len(chunk)
                            self.most = max(self.most, carried)
                        target.sendall(chunk)
            except OSError:
                pass
            finally:
                for sock in (client, server):
                    if self.tripped.is_set():
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.close()

    def close(self) -> None:
        self._listener.close()


@dataclass
class Servers:
    pg_dsn: str
    mysql_dsn: str

    def through(self, pg: Proxy, mysql: Proxy) -> dict[str, str]:
        """The environment of an ingest whose connectors reach the servers through these proxies. connectorx's MySQL
        driver would switch to the server's Unix socket on a loopback address (prefer_socket): off, as for a remote
        server."""
        env = {**os.environ, "SHEQUYUN_PG_DSN": self.pg_dsn.replace(":5432/", f":{pg.port}/"),
               "SHEQUYUN_MYSQL_DSN": self.mysql_dsn.replace(":3306/", f":{mysql.port}/") + "?prefer_socket=false"}
        env.pop("SHEQUYUN_SOURCES_DIR", None)
        return env


def ingest(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    systems = [a for s in [*DATABASE_SYSTEMS, *FILE_SYSTEMS] for a in ("--system", s)]
    return subprocess.run([SHEQUYUN, *args, "--data-dir", str(data_dir), *systems], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def pad(generated: Path) -> None:
    """Each database table of the generated city repeated under new keys and later cursor values to PADDED_ROWS."""
    for system, key, cursor, new_key in (
        ("ps_population", "rkbh", "djsj", lambda k: pl.format("R9{}{}", pl.lit(k), pl.col("rkbh").str.slice(4))),
        ("ca_elderly_allowance", "id", "gxsj", lambda k: pl.col("id") + k * 1_000_000),
    ):
        path = generated / "db" / f"{system}.parquet"
        df = pl.read_parquet(path)
        copies = [df] + [df.with_columns(new_key(k).alias(key), pl.col(cursor) + pl.duration(seconds=k))
                         for k in range(1, -(-PADDED_ROWS // df.height))]
        pl.concat(copies).head(PADDED_ROWS).write_parquet(path)


@dataclass
class City:
    generated: Path
    servers: Servers
    undisturbed: Path                   # its data directory after an undisturbed ingest
    expected: dict[str, pl.DataFrame]   # snapshot(undisturbed)
    pg_most: int                        # the most bytes one connection carried from each server in that ingest
    mysql_most: int

    def cut(self) -> tuple[Proxy, Proxy]:
        """Proxies that stop their server halfway through the biggest transfer of an undisturbed ingest."""
        return Proxy(5432, cut_after=self.pg_most // 2), Proxy(3306, cut_after=self.mysql_most // 2)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    root = tmp_path_factory.mktemp("database_dropped")
    generated = root / "generated"
    generate_city(generated, persons=200, seed=13, load_db=False, progress=False)
    pad(generated)
    with isolated_databases("dropped") as (pg_dsn, mysql_dsn):
        assert load_databases(generated, pg_dsn, mysql_dsn) == {t: PADDED_ROWS for t in DATABASE_SYSTEMS.values()}
        servers = Servers(pg_dsn, mysql_dsn)
        calm = root / "undisturbed"
        shutil.copytree(generated / "landing", calm / "landing")
        pg, mysql = Proxy(5432), Proxy(3306)
        done = ingest(calm, servers.through(pg, mysql), "ingest", "--no-progress")
        assert done.returncode == 0, done.stdout + done.stderr
        pg.close(), mysql.close()
        assert pg.most > 200_000 and mysql.most > 200_000, "the rows, not the handshake, must make the bytes"
        yield City(generated, servers, calm, snapshot(calm), pg.most, mysql.most)


def _of(frame: pl.DataFrame, systems: list[str] | dict[str, str]) -> pl.DataFrame:
    column = "_system" if "_system" in frame.columns else "system"
    return frame.filter(pl.col(column).is_in(list(systems)))


def _failed_line(output: str, system: str, table: str) -> str:
    line = next((x for x in output.splitlines() if f"{system}: {table}: connection to the database server lost while "
                 f"reading {table}; nothing of this read was landed: run the ingest again when the server is back" in x), "")
    assert line, output
    return line


def test_servers_stopping_mid_load_fail_their_systems_land_nothing_of_it_and_a_rerun_lands_it_all(
        city: City, tmp_path: Path) -> None:
    data_dir = tmp_path / "disturbed"
    shutil.copytree(city.generated / "landing", data_dir / "landing")

    pg, mysql = city.cut()
    cut = ingest(data_dir, city.servers.through(pg, mysql), "ingest", "--no-progress")
    assert pg.tripped.is_set() and mysql.tripped.is_set()
    got = snapshot(data_dir)
    # nothing of the interrupted reads: no bronze row, no landed receipt; the file systems landed in full
    assert _of(got["bronze"], DATABASE_SYSTEMS).height == 0
    assert _of(got["landed"], DATABASE_SYSTEMS).height == 0
    for part in ("bronze", "quarantine", "landed"):
        assert _of(got[part], FILE_SYSTEMS).equals(_of(city.expected[part], FILE_SYSTEMS)), part
    assert cut.returncode == 1 and "Traceback" not in cut.stderr, cut.stderr[-3000:]
    for system, table in DATABASE_SYSTEMS.items():
        assert _failed_line(cut.stdout, system, table).strip().startswith(f"FAILED {system}: {table}: ")

    healthy_pg, healthy_mysql = Proxy(5432), Proxy(3306)
    rerun = ingest(data_dir, city.servers.through(healthy_pg, healthy_mysql), "ingest", "--no-progress")
    healthy_pg.close(), healthy_mysql.close()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    got = snapshot(data_dir)
    for part in ("bronze", "quarantine", "landed"):
        assert got[part].equals(city.expected[part]), f"{part} differs from the undisturbed ingest"


@contextmanager
def new_rows(servers: Servers) -> Iterator[None]:
    """PADDED_ROWS rows more in each table, with new keys and cursor values after every landed one; removed after."""
    from connectors.mysql_reader import connect_args
    from shequyun_synth.dbload import MYSQL_TYPES, PG_TYPES

    pg_columns = ", ".join("'R8' || substr(rkbh, 3)" if c == "rkbh" else "djsj + interval '100 years'" if c == "djsj"
                           else c for c in PG_TYPES)
    my_columns = ", ".join("id + 900000000" if c == "id" else "gxsj + interval 100 year" if c == "gxsj" else c
                           for c in MYSQL_TYPES)
    with psycopg.connect(servers.pg_dsn, autocommit=True) as pg, pymysql.connect(**connect_args(servers.mysql_dsn),
                                                                                 autocommit=True) as mysql:
        pg.execute(f"insert into ps_shiyou_renkou select {pg_columns} from ps_shiyou_renkou")
        mysql.cursor().execute(f"insert into mz_lnzhjt select {my_columns} from mz_lnzhjt")
        try:
            yield
        finally:
            pg.execute("delete from ps_shiyou_renkou where rkbh like 'R8%'")
            mysql.cursor().execute("delete from mz_lnzhjt where id > 900000000")


def test_an_incremental_load_cut_mid_read_is_failed_not_skipped_and_the_build_goes_on_with_the_last_good_data(
        city: City, tmp_path: Path) -> None:
    data_dir = tmp_path / "incremental"
    shutil.copytree(city.undisturbed, data_dir)
    with new_rows(city.servers):
        pg, mysql = city.cut()
        # the Dagster run, told to skip database servers that do not answer: a server lost mid-read is no such one
        cut = ingest(data_dir, city.servers.through(pg, mysql), "run", "--ingest-only", "--skip-unavailable-databases")
        assert pg.tripped.is_set() and mysql.tripped.is_set()
        assert cut.returncode == 1, cut.stdout + cut.stderr[-3000:]
        for system, table in DATABASE_SYSTEMS.items():
            status = next(x for x in cut.stdout.splitlines() if x.startswith(f"{system} "))
            assert status.split()[1] == "failed", cut.stdout
            _failed_line(cut.stdout, system, table)
        assert ("built anyway with the last good bronze data of (stale in build_info and the manifests): "
                "ca_elderly_allowance, ps_population") in cut.stdout          # SHEQUYUN_ON_SYSTEM_FAILURE=degrade
        got = snapshot(data_dir)
        for part in ("bronze", "landed"):
            assert got[part].equals(city.expected[part]), f"{part}: the interrupted increment left rows behind"

        healthy_pg, healthy_mysql = Proxy(5432), Proxy(3306)
        rerun = ingest(data_dir, city.servers.through(healthy_pg, healthy_mysql), "ingest", "--no-progress")
        healthy_pg.close(), healthy_mysql.close()
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    got = snapshot(data_dir)
    for system in DATABASE_SYSTEMS:       # the whole increment, once: the first load's rows and as many new ones
        bronze, before = _of(got["bronze"], [system]), _of(city.expected["bronze"], [system])
        assert bronze.height == 2 * before.height == bronze["_row_hash"].n_unique()
        assert before.join(bronze, how="anti", on=list(bronze.columns)).height == 0
        assert _of(got["landed"], [system])["rows_landed"].to_list() == [2 * before.height]
    for part in ("bronze", "landed"):
        assert _of(got[part], FILE_SYSTEMS).equals(_of(city.expected[part], FILE_SYSTEMS))
