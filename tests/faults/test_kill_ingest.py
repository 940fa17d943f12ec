"""Fault injection (issue 13 item 5), ingest: `shequyun ingest` killed with SIGKILL at random points, then run again,
lands exactly what an undisturbed run lands - the same bronze rows, quarantine rows and receipts' counts, every Delta
table readable, no lock or holder note left behind.

A small generated city (every configured system: files in every format and the two database tables in an isolated
PostgreSQL / MariaDB namespace) is landed once undisturbed. Then, on fresh copies of its landing folder, an ingest is
killed after a delay drawn at random over the undisturbed run's duration (seeded: the kill points are reproducible),
and a second ingest finishes the job. Rows are compared by (system, source, row number, row hash): batch ids and load
times differ by nature.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import deltalake
import polars as pl
import pytest

from shequyun_synth.testing import isolated_databases

KILLS = 6
SHEQUYUN = str(Path(sys.executable).with_name("shequyun"))


def _ingest(data_dir: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([SHEQUYUN, "ingest", "--no-progress", "--data-dir", str(data_dir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _table(path: Path, columns: list[str]) -> pl.DataFrame:
    return pl.from_arrow(deltalake.DeltaTable(str(path)).to_pyarrow_table(columns=columns))  # type: ignore[return-value]


def snapshot(data_dir: Path) -> dict[str, pl.DataFrame]:
    """What landing produced, without what differs between runs by nature (batch ids, load times)."""
    lake = data_dir / "lake"
    bronze = [_table(p, ["_system", "_source", "_row_number", "_row_hash"]) for p in sorted((lake / "bronze").iterdir())]
    quarantine = [_table(p, ["_system", "_source", "_row_number", "reason"])
                  for p in sorted((lake / "quarantine").iterdir())] if (lake / "quarantine").exists() else []
    receipts = _table(lake / "receipts", ["system", "source", "status", "rows_landed", "rows_quarantined"])
    landed = (receipts.filter(pl.col("status") == "landed").group_by("system", "source")
              .agg(pl.col("rows_landed").sum(), pl.col("rows_quarantined").sum()).sort("system", "source"))
    return {"bronze": pl.concat(bronze).sort(pl.all()),
            "quarantine": pl.concat(quarantine).sort(pl.all()) if quarantine else pl.DataFrame(),
            "landed": landed}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    root = tmp_path_factory.mktemp("kill_ingest")
    generated = root / "generated"
    generate_city(generated, persons=200, seed=13, load_db=False, progress=False)
    with isolated_databases("kill") as (pg_dsn, mysql_dsn):
        load_databases(generated, pg_dsn, mysql_dsn)
        env = {**os.environ, "SHEQUYUN_PG_DSN": pg_dsn, "SHEQUYUN_MYSQL_DSN": mysql_dsn}
        env.pop("SHEQUYUN_SOURCES_DIR", None)
        calm = root / "undisturbed"
        shutil.copytree(generated / "landing", calm / "landing")
        started = time.monotonic()
        assert _ingest(calm, env).wait(timeout=600) == 0
        yield generated, env, time.monotonic() - started, snapshot(calm)


def test_an_ingest_killed_at_random_points_then_rerun_lands_what_an_undisturbed_one_does(city, tmp_path: Path) -> None:
    generated, env, seconds, expected = city
    assert expected["bronze"].height > 1000 and expected["landed"].height >= 16
    rng = random.Random(20261207)
    killed_mid_run = 0
    for k in range(KILLS):
        data_dir = tmp_path / f"kill{k}"
        shutil.copytree(generated / "landing", data_dir / "landing")
        proc = _ingest(data_dir, env)
        time.sleep(rng.uniform(0.05, 0.85) * seconds)   # a kill point somewhere in the run (start-up included)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_run += 1
        proc.wait(timeout=60)
        rerun = _ingest(data_dir, env)
        assert rerun.wait(timeout=600) == 0, f"the ingest after kill point {k} failed"
        got = snapshot(data_dir)
        for part in ("bronze", "quarantine", "landed"):
            assert got[part].equals(expected[part]), f"kill point {k}: {part} differs from the undisturbed run"
        assert not (data_dir / ".shequyun.lock.json").exists()      # the dead holder's note went with the rerun
    assert killed_mid_run >= 2, "kill points must fall inside a running ingest"
