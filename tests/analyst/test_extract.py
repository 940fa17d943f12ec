"""`shequyun extract --street`: only the street's rows, and all of them, in a DuckDB file of the same tables.

The row selection is checked on the raw thematic database, read with the data-bureau role (an unmasked extract), so
every value can be compared with the source; the default, masked extract of the analyst database is checked in
tests/analyst/test_pii_by_construction.py."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest


@pytest.fixture(scope="module")
def street(full_build) -> str:
    """The street with the most residents in the test city (so every table has rows of it and of others)."""
    return full_build.query("""
        select h.street_code from marts.dim_person as p join marts.dim_house as h on h.house_key = p.residence_house_key
        group by 1 order by count(*) desc, 1 limit 1""")["street_code"][0]


@pytest.fixture(scope="module")
def extract(full_build, street, tmp_path_factory):
    from click.testing import CliRunner

    from shequyun.cli import main

    out = tmp_path_factory.mktemp("extract") / "street.duckdb"
    result = CliRunner().invoke(main, ["extract", "--street", street, "--database", str(full_build.duckdb_path),
                                       "--out", str(out), "--role", "data_bureau_auditor"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.stdout


def _tables(path, database="main") -> dict[str, list[str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select schema_name || '.' || table_name, column_name from duckdb_columns() "
                           "where database_name = current_database() order by 1, column_index").fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _read(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return con.sql(f"select * from {table}").pl()


def test_extract_holds_the_street_rows_and_only_them(full_build, street, extract) -> None:
    out, stdout = extract
    source_db = full_build.duckdb_path
    houses = set(full_build.query(f"select house_key from marts.dim_house where street_code = '{street}'")["house_key"])
    residents = set(full_build.query(f"""
        select p.person_key from marts.dim_person as p join marts.dim_house as h on h.house_key = p.residence_house_key
        where h.street_code = '{street}'""")["person_key"])
    assert houses and residents

    def belongs(row: dict) -> bool:
        # the most specific non-null scope column decides (committee, street, person, house)
        if row.get("committee_code") is not None:
            return row["committee_code"][:9] == street
        if row.get("street_code") is not None:
            return row["street_code"] == street
        if row.get("person_key") is not None:
            return row["person_key"] in residents
        if row.get("house_key") is not None:
            return row["house_key"] in houses
        return False

    extracted = _tables(out)
    source = _tables(source_db)
    assert not [t for t in extracted if t.split(".")[0] in ("staging", "intermediate")]
    assert "intermediate.int_person_pairs_blocked" in stdout  # left out and listed
    scoped = [t for t, cols in extracted.items()
              if {"person_key", "house_key", "committee_code", "street_code"} & set(cols) and t != "marts.dim_area"]
    assert {"marts.dim_person", "marts.dim_house", "marts.bridge_person_house", "marts.fct_person_tag_current",
            "marts.dim_person_profile"} <= set(scoped)
    src = full_build.connect()
    dst = duckdb.connect(str(out), read_only=True)
    for table in scoped:
        assert extracted[table] == source[table], table          # same columns, same order
        got = _read(dst, table)
        everything = _read(src, table)
        want = everything.filter(pl.Series([belongs(r) for r in everything.iter_rows(named=True)], dtype=pl.Boolean))
        assert got.height == want.height, table
        assert all(belongs(r) for r in got.iter_rows(named=True)), f"{table} holds rows of another street"
        keys = [c for c, t in got.schema.items() if not isinstance(t, (pl.List, pl.Array, pl.Struct))]
        assert got.sort(keys, nulls_last=True).equals(want.sort(keys, nulls_last=True)), table
    persons = _read(dst, "marts.dim_person")
    assert set(persons["person_key"]) == residents
    assert set(_read(dst, "marts.dim_house")["house_key"]) == houses
    # the street's areas and its district, nothing else
    areas = _read(dst, "marts.dim_area")
    assert set(areas["code"]) == set(full_build.query(
        f"select code from marts.dim_area where street_code = '{street}' or code = '{street[:6]}'")["code"])
    # reference seeds whole
    assert _read(dst, "ref.tag_catalogue").height == _read(src, "ref.tag_catalogue").height
    src.close()
    dst.close()


def test_extract_keeps_the_column_types_and_constraints(full_build, extract) -> None:
    out, _ = extract
    with duckdb.connect(str(out), read_only=True) as con:
        got = con.execute("select sql from duckdb_tables() where table_name = 'dim_person'").fetchone()[0]
    with duckdb.connect(str(full_build.duckdb_path), read_only=True) as con:
        want = con.execute("select sql from duckdb_tables() where table_name = 'dim_person'").fetchone()[0]
    assert got == want


def test_extract_unknown_street(full_build, cli, tmp_path) -> None:
    out = tmp_path / "x.duckdb"
    result = cli("extract", "--street", "310104999", "--database", full_build.duckdb_path, "--out", out,
                 "--role", "data_bureau_auditor")
    assert result.exit_code == 1 and "street 310104999 is not in" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())   # no half-written file left
    result = cli("extract", "--street", "3101", "--database", full_build.duckdb_path, "--out", out,
                 "--role", "data_bureau_auditor")
    assert result.exit_code == 1 and "not a 9-digit" in result.stderr
