"""dbt's Python models read their inputs through a DuckDB cursor and dbt-duckdb commits their table through another.
A result left open on the first (a relation's `fetchone()`) holds a lock that the commit waits on forever when the
commit checkpoints: CI hung 24 minutes in int_person_match_weights that way. Results are read whole (`fetchall()`,
`df()`); this test shows the hang with DuckDB alone and keeps `fetchone` out of the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shequyun.core.settings import DBT_PROJECT_DIR

HANG = """
import duckdb, pandas as pd
con = duckdb.connect({path!r})
con.execute("create table t as select range as i, range % 7 as g from range(200000)")
con.execute("checkpoint")
con.execute("set checkpoint_threshold = '1KB'")
session = con.cursor()
value = session.table("t").filter("g = 1").aggregate("count(distinct i)").{fetch}
frame = pd.DataFrame({{"a": range(100000)}})
con.cursor().execute("create table x as select * from frame")
"""


def _finishes(tmp_path: Path, fetch: str) -> bool:
    code = HANG.format(path=str(tmp_path / f"{fetch[:8]}.duckdb"), fetch=fetch)
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_an_open_result_on_one_cursor_hangs_a_checkpointing_commit_on_another(tmp_path: Path) -> None:
    assert not _finishes(tmp_path, "fetchone()[0]")
    assert _finishes(tmp_path, "fetchall()[0][0]")


def test_no_python_model_leaves_a_result_open() -> None:
    offenders = [str(p.relative_to(DBT_PROJECT_DIR)) for p in sorted((DBT_PROJECT_DIR / "models").rglob("*.py"))
                 if "fetchone(" in p.read_text(encoding="utf-8")]
    assert offenders == []
