"""Every ```sql block of docs/analysts.md runs through `shequyun query` on the test city and returns rows; several
results are checked against the same figure computed another way (from dim_person_profile or the tables)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from shequyun.core.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "analysts.md"


def sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)


def title(sql: str) -> str:
    return sql.splitlines()[0].removeprefix("--").strip()


def test_the_guide_has_at_least_five_queries() -> None:
    blocks = sql_blocks()
    assert len(blocks) >= 5
    assert all(b.startswith("-- ") for b in blocks), "each block starts with a -- title comment"
    assert len({title(b) for b in blocks}) == len(blocks)


@pytest.fixture(scope="module")
def results(analyst_build) -> dict[str, list[dict]]:
    """Each block run as an analyst runs it: on the analyst database (the expected values come from the raw build)."""
    from click.testing import CliRunner

    from shequyun.cli import main

    out = {}
    for sql in sql_blocks():
        result = CliRunner().invoke(main, ["query", "--data-dir", str(analyst_build.data_dir),
                                           "--database", str(analyst_build.path), "--format", "json",
                                           "--limit", "0", "--", sql], catch_exceptions=False)
        assert result.exit_code == 0, (title(sql), result.output)
        out[title(sql)] = json.loads(result.stdout)
    return out


def test_every_query_returns_rows(results) -> None:
    empty = [name for name, rows in results.items() if not rows]
    assert not empty, f"queries without rows on the test city: {empty}"


def test_elderly_living_alone_per_committee(full_build, results) -> None:
    got = {r["committee_code"]: r["elderly_living_alone"] for r in results["各居委独居老人人数"]}
    # the tag's rule, evaluated on the person view directly
    want = dict(full_build.query("""
        select committee_code, count(*) as n from marts.dim_person_profile
        where status = 'living' and age >= 60 and lives_alone and committee_code is not null
        group by 1""").iter_rows())
    assert got == want and sum(got.values()) > 0


def test_dibao_disabled_overlap(full_build, results) -> None:
    [row] = results["低保与残疾重叠"]
    profile = full_build.query("select dibao, disabled from marts.dim_person_profile where status = 'living'")
    assert row["dibao"] == profile["dibao"].fill_null(False).sum()
    assert row["disabled"] == profile["disabled"].fill_null(False).sum()
    assert row["dibao_and_disabled"] == (profile["dibao"].fill_null(False) & profile["disabled"].fill_null(False)).sum()


def test_houses_with_most_residents(full_build, results) -> None:
    rows = results["居住人数最多的房屋"]
    living = set(full_build.query("select person_key from marts.dim_person where status = 'living'")["person_key"])
    bridge = full_build.query("select person_key, house_key from marts.bridge_person_house "
                              "where relation = '实住' and valid_to is null")
    counts = Counter(h for p, h in bridge.iter_rows() if p in living)
    assert rows[0]["residents"] == max(counts.values())
    assert all(r["residents"] == counts[r["house_key"]] and len(r["names"]) == r["residents"] for r in rows)


def test_ledger_row_counts(full_build, results) -> None:
    got = {r["ledger"]: r["row_count"] for r in results["台账行数"]}
    tables = full_build.query("select table_name from duckdb_tables() where schema_name = 'reports' "
                              "and table_name like 'rpt\\_ledger\\_\\_%' escape '\\'")["table_name"]
    with full_build.connect() as con:
        want = {t: con.execute(f"select count(*) from reports.{t}").fetchone()[0] for t in tables}
    assert got == want and got


def test_elderly_90_with_latest_visit(full_build, results) -> None:
    rows = results["90岁以上老人及最近走访"]
    latest = dict(full_build.query("select person_key, max(visited_on) as last from marts.fct_visit "
                                   "where person_key is not null group by 1").iter_rows())
    assert all(r["age"] >= 90 for r in rows)
    for r in rows:
        last = latest.get(r["person_key"])
        assert r["last_visited_on"] == (last.isoformat() if last else None)
