"""The thematic database is replaced atomically: readers never see a half-built file, failures change nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shequyun.core.warehouse import current_database, previous_database, warehouse_build


def _write(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table dim_version as select ? as version", [version])


def _version(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select version from dim_version").fetchone()[0]


def test_successful_build_is_swapped_in_and_previous_kept(tmp_path: Path) -> None:
    with warehouse_build(tmp_path) as build:
        _write(build, 1)
    assert _version(current_database(tmp_path)) == 1
    assert not previous_database(tmp_path).exists()

    with warehouse_build(tmp_path) as build:
        assert _version(build) == 1  # the build starts from a copy of the current database
        _write(build, 2)
    assert _version(current_database(tmp_path)) == 2
    assert _version(previous_database(tmp_path)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shequyun.duckdb", "shequyun.previous.duckdb"]


def test_failed_build_leaves_the_last_good_database(tmp_path: Path) -> None:
    with warehouse_build(tmp_path) as build:
        _write(build, 1)
    with pytest.raises(RuntimeError, match="model failed"):
        with warehouse_build(tmp_path) as build:
            _write(build, 99)
            raise RuntimeError("model failed")
    assert _version(current_database(tmp_path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["shequyun.duckdb"]


def test_reader_during_a_build_sees_the_old_database(tmp_path: Path) -> None:
    with warehouse_build(tmp_path) as build:
        _write(build, 1)
    reader = duckdb.connect(str(current_database(tmp_path)), read_only=True)
    try:
        with warehouse_build(tmp_path) as build:
            _write(build, 2)
            # mid-build, a new reader opening the path still gets the complete old database
            assert _version(current_database(tmp_path)) == 1
        # the reader that was open before the swap keeps reading the old file, complete
        assert reader.execute("select version from dim_version").fetchone()[0] == 1
    finally:
        reader.close()
    assert _version(current_database(tmp_path)) == 2
