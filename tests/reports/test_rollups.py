"""Roll-up ledgers (scope rollup): rows at committee, street and district level. Every level is computed from the
base rows (macro ledger_rollup); here, independently of the dbt test rollup_reconciles, every street row must equal
the sum of its committee rows and every district row the sum of its street rows, for every numeric column and every
breakdown; the committee rows must match counts taken straight from the marts; and the dbt test itself must fail on
a ledger that does not add up."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from exports.catalogue import load_ledgers

AREA_COLUMNS = {"level", "district_code", "district_name", "street_code", "street_name", "committee_code",
                "committee_name", "area_code"}
# dimension columns that describe a breakdown cell but do not identify it
DESCRIPTIVE = {"tag_level", "tag_area_code"}


def _rollups() -> list[str]:
    return [led.model for led in load_ledgers() if led.scope == "rollup"]


@pytest.fixture(scope="module")
def build(full_build):
    return full_build


def _split(frame: pl.DataFrame) -> tuple[list[str], list[str]]:
    measures = [c for c, t in frame.schema.items() if t.is_numeric() and c not in AREA_COLUMNS]
    dims = [c for c in frame.columns if c not in AREA_COLUMNS and c not in measures and c not in DESCRIPTIVE]
    return dims, measures


def test_there_are_rollups() -> None:
    assert len(_rollups()) >= 9


@pytest.mark.parametrize("ledger", _rollups())
def test_levels_reconcile(build, ledger: str) -> None:
    frame = build.query(f"select * from reports.{ledger}")
    dims, measures = _split(frame)
    assert measures, f"{ledger}: no numeric column"
    levels = frame.group_by("level").len()
    assert set(levels["level"]) == {"committee", "street", "district"}, levels
    committees = frame.filter(pl.col("level") == "committee")
    streets = frame.filter(pl.col("level") == "street")
    districts = frame.filter(pl.col("level") == "district")
    assert committees["committee_code"].null_count() == 0
    assert streets["committee_code"].null_count() == streets.height and streets["street_code"].null_count() == 0
    assert districts["street_code"].null_count() == districts.height
    assert frame.select(pl.col(measures).sum()).row(0) != tuple(0 for _ in measures), f"{ledger}: all zero"
    for children, parents, key in ((committees, streets, "street_code"), (streets, districts, "district_code")):
        sums = children.group_by([key, *dims]).agg(pl.col(measures).sum())
        joined = parents.select([key, *dims, *measures]).join(sums, on=[key, *dims], how="full", suffix="_sum",
                                                              nulls_equal=True, coalesce=True)
        for m in measures:
            bad = joined.filter(pl.col(m).fill_null(0) != pl.col(f"{m}_sum").fill_null(0))
            assert bad.is_empty(), f"{ledger}: {key} rows are not the sum of the level below for {m}:\n{bad.head(5)}"
    # the district rows add up to the committee rows' grand total (both levels at once)
    for m in measures:
        assert committees[m].sum() == districts[m].sum(), (ledger, m)


def test_committee_rows_match_the_marts(build) -> None:
    """The roll-ups' committee rows against counts taken straight from the marts."""
    wrong = build.query("""
        with residents as (
            select committee_code, count(*) as n, count(*) filter (where age >= 80) as n80
            from marts.dim_person_profile where status = 'living' and committee_code is not null group by 1
        ),
        houses as (
            select committee_code, count(*) as n, count(*) filter (where occupancy = '空置') as vacant
            from reports.rpt_ledger__house_basics group by 1
        ),
        population as (
            select committee_code, sum(persons) as n
            from reports.rpt_ledger__population_monthly_stats where level = 'committee' group by 1
        ),
        usage as (
            select committee_code, sum(houses) as n, sum(vacant) as vacant
            from reports.rpt_ledger__house_usage_stats where level = 'committee' group by 1
        )
        select s.committee_code
        from reports.rpt_ledger__street_summary s
        left join residents r using (committee_code)
        left join houses h using (committee_code)
        left join population p using (committee_code)
        left join usage u using (committee_code)
        where s.level = 'committee'
          and (s.residents <> coalesce(r.n, 0) or s.aged_80_plus <> coalesce(r.n80, 0)
               or s.houses <> coalesce(h.n, 0) or s.houses_vacant <> coalesce(h.vacant, 0)
               or coalesce(p.n, 0) <> s.residents or coalesce(u.n, 0) <> s.houses
               or coalesce(u.vacant, 0) <> s.houses_vacant)
    """)
    assert wrong.is_empty(), wrong
    committees = build.query("select count(*) as n from marts.dim_area where level = 'committee'").item()
    # the roll-ups of summaries/ (macro ledger_rollup) give every committee its rows, zeros included
    for ledger in [led.model for led in load_ledgers() if led.scope == "rollup" and led.yaml_path.parent.name == "summaries"]:
        rows = build.query(f"select count(distinct committee_code) as n from reports.{ledger} where level = 'committee'")
        assert rows.item() == committees, f"{ledger}: not every committee has rows"


def _compiled_reconcile_test(build, ledger: str) -> str:
    target = Path(build.duckdb_path).parent / "target" / "compiled"
    found = [p for p in target.rglob("rollup_reconciles_*.sql") if f"{ledger}.yml" in p.parent.name]
    assert len(found) == 1, (ledger, found)
    return found[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("ledger", ["rpt_ledger__population_monthly_stats", "rpt_ledger__street_summary"])
def test_the_dbt_reconcile_test_fails_on_a_ledger_that_does_not_add_up(build, ledger: str, tmp_path: Path) -> None:
    sql = _compiled_reconcile_test(build, ledger)
    copy = tmp_path / "shequyun.duckdb"   # the compiled SQL names the catalogue after the file
    shutil.copy(build.duckdb_path, copy)
    with duckdb.connect(str(copy)) as con:
        assert con.sql(sql).fetchall() == [], "passes on the built ledger"
        measure = "persons" if "population" in ledger else "residents"
        street = con.sql(f"select street_code from reports.{ledger} where level = 'street' limit 1").fetchone()[0]
        # one street row off by one: the street check fails, and the district check (its district's street rows) too
        con.execute(f"update reports.{ledger} set {measure} = {measure} + 1 where level = 'street' and street_code = ?"
                    f" and rowid = (select min(rowid) from reports.{ledger} where level = 'street' and street_code = ?)",
                    [street, street])
        failures = con.sql(sql).pl()
        assert set(failures["check_name"]) == {"street = sum of committee rows", "district = sum of street rows"}
        assert set(failures["measure"]) == {measure}
        # a committee row moved to the street level breaks the level shape
        con.execute(f"update reports.{ledger} set level = 'street' where rowid = "
                    f"(select min(rowid) from reports.{ledger} where level = 'committee')")
        assert "level shape" in set(con.sql(sql).pl()["check_name"])
