"""Scoping and privacy on the test city (full_build): a committee's package holds its own rows and nothing else.

Two independent halves, both over EVERY committee and EVERY ledger of the project:

1. In the database: every committee-level row of a ledger belongs to the committee it names — a house row to the
   committee of its house (dim_house), a person row to the person's residence or 户籍 committee
   (dim_person_profile; only the one of `meta.ledger.scope_by` when the ledger declares it).
2. In the export: each committee's file of a ledger holds exactly the database rows naming that committee (as a
   multiset, pii masked by the Python rules, not by the SQL under test) — so zero foreign rows, none missing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from exports_fixture_db import full_id_numbers_in

from exports.catalogue import Ledger, load_ledgers
from exports.package import ExportSummary, export_every_frequency, export_packages
from shequyun.privacy.masking import MASKERS

SCAN_COMMITTEES = 3     # committees whose xlsx, csv and parquet files are all scanned for full ID numbers


@pytest.fixture(scope="module")
def ledgers() -> list[Ledger]:
    return load_ledgers()


@pytest.fixture(scope="module")
def parquet_export(full_build, tmp_path_factory: pytest.TempPathFactory) -> ExportSummary:
    """Every ledger for every committee of the test city (parquet: scoping does not depend on the format)."""
    return export_every_frequency(full_build.duckdb_path, tmp_path_factory.mktemp("scoping"), formats=["parquet"])


def _committee_rows(ledger: Ledger) -> str:
    where = " where level = 'committee'" if ledger.scope == "rollup" else ""
    return f"select * from {ledger.relation}{where}"


def _foreign_person_rows(full_build, ledger: Ledger, rows: str) -> tuple[str, int, int]:
    """(basis, rows of another committee under it, rows of an unknown person) for a person ledger.

    The basis is `meta.ledger.scope_by` (residence | hukou) when the ledger declares one; else a row may be on
    either (人户分离 rosters give each such person one row in each of the two committees)."""
    counts = full_build.query(f"""
        select count(*) filter (where p.person_key is null) as unknown,
               count(*) filter (where p.person_key is not null
                                and r.committee_code is distinct from p.committee_code) as not_residence,
               count(*) filter (where p.person_key is not null
                                and r.committee_code is distinct from p.hukou_committee_code) as not_hukou,
               count(*) filter (where p.person_key is not null
                                and r.committee_code is distinct from p.committee_code
                                and r.committee_code is distinct from p.hukou_committee_code) as not_either
        from ({rows}) as r
        left join marts.dim_person_profile as p on p.person_key = r.person_key
        where r.person_key is not null
    """).row(0, named=True)
    basis = ledger.meta.get("scope_by") if ledger.meta.get("scope_by") in ("residence", "hukou") else "either"
    return basis, counts[f"not_{basis}"], counts["unknown"]


def test_every_ledger_row_belongs_to_its_committee(full_build, ledgers: list[Ledger]) -> None:
    assert ledgers, "no ledgers in the project"
    problems = []
    checked = Counter()
    for ledger in ledgers:
        rows = _committee_rows(ledger)
        committees = set(full_build.query("select code from marts.dim_area where level = 'committee'")["code"])
        codes = full_build.query(f"select committee_code, count(*) as n from ({rows}) group by 1")
        stray = codes.filter(~pl.col("committee_code").is_in(list(committees)) | pl.col("committee_code").is_null())
        if stray.height:
            problems.append(f"{ledger.model}: {stray['n'].sum()} committee rows name no committee of dim_area")
        if "house_key" in ledger.column_names:
            foreign = full_build.query(f"""
                select count(*) from ({rows}) as r join marts.dim_house as h on h.house_key = r.house_key
                where r.committee_code is distinct from h.committee_code""").item()
            unknown = full_build.query(f"""
                select count(*) from ({rows}) as r left join marts.dim_house as h on h.house_key = r.house_key
                where r.house_key is not null and h.house_key is null""").item()
            checked["house"] += 1
            if foreign or unknown:
                problems.append(f"{ledger.model}: {foreign} rows of another committee's house, {unknown} unknown houses")
        elif "person_key" in ledger.column_names:
            basis, foreign, unknown = _foreign_person_rows(full_build, ledger, rows)
            checked["person"] += 1
            if foreign or unknown:
                problems.append(f"{ledger.model}: {foreign} rows of persons of another committee ({basis}), "
                                f"{unknown} unknown persons")
    assert problems == [], "\n".join(problems)
    assert checked["person"] and checked["house"]


def _masked_expected(frame: pl.DataFrame, ledger: Ledger) -> pl.DataFrame:
    """The database rows as the export should hold them, masked by the Python rules (not the SQL under test)."""
    exported = frame.select(c.name for c in ledger.exported_columns)
    for column in ledger.exported_columns:
        if column.pii:
            masker = MASKERS[column.pii]
            exported = exported.with_columns(pl.col(column.name).map_elements(masker, return_dtype=pl.String))
    return exported


def _multiset(frame: pl.DataFrame) -> Counter:
    return Counter(repr(row) for row in frame.rows())


def test_each_package_holds_exactly_its_committees_rows(full_build, ledgers: list[Ledger],
                                                        parquet_export: ExportSummary) -> None:
    committees = full_build.query("select code from marts.dim_area where level = 'committee'")["code"].to_list()
    periods = {p.period for p in parquet_export.packages}
    assert len(parquet_export.packages) == len(committees) * len(periods)
    assert {p.committee_code for p in parquet_export.packages} == set(committees)
    by_ledger = {led.name: led for led in ledgers}
    foreign = missing = 0
    files = 0
    for ledger in ledgers:
        frame = full_build.query(_committee_rows(ledger))
        expected_by_committee = {code: _masked_expected(part, ledger) for (code,), part in
                                 frame.partition_by("committee_code", as_dict=True).items()}
        for package in parquet_export.packages:
            entry = [f for f in package.files if f.name.startswith(ledger.title + "_") and f.suffix == ".parquet"]
            if not entry:
                continue
            (path,) = entry
            files += 1
            got = pl.read_parquet(path)
            if "committee_code" in got.columns:
                foreign += got.filter(pl.col("committee_code") != package.committee_code).height
            expected = expected_by_committee.get(package.committee_code, _masked_expected(frame.clear(), ledger))
            got_rows, want_rows = _multiset(got), _multiset(expected)
            foreign += sum((got_rows - want_rows).values())
            missing += sum((want_rows - got_rows).values())
    assert files == sum(1 for p in parquet_export.packages for f in p.files) and set(by_ledger)
    assert (foreign, missing) == (0, 0)
    # every committee row of every ledger is in exactly one package (or reported as unassigned)
    total = sum(full_build.query(f"select count(*) from ({_committee_rows(led)}) where committee_code in "
                                 f"(select code from marts.dim_area where level = 'committee')").item()
                for led in ledgers)
    assert parquet_export.rows == total


def test_no_full_id_number_in_any_format(full_build, tmp_path: Path) -> None:
    committees = full_build.query(
        f"select code from marts.dim_area where level = 'committee' order by code limit {SCAN_COMMITTEES}")["code"]
    summary = export_packages(full_build.duckdb_path, tmp_path / "outbox", "2026-11",
                              committees=committees.to_list())
    assert summary.files == SCAN_COMMITTEES * len(load_ledgers()) * 3
    assert summary.rows > 0
    assert full_id_numbers_in(tmp_path / "outbox") == {}
    # the same committees unmasked (an allowed role) do hold full numbers: the scan above could have seen them
    export_packages(full_build.duckdb_path, tmp_path / "audit", "2026-11", committees=committees.to_list(),
                    unmasked=True, role="data_bureau_auditor", formats=["csv"])
    assert full_id_numbers_in(tmp_path / "audit")


def test_cli_export(full_build, tmp_path: Path) -> None:
    from shequyun.cli import main

    code = full_build.query("select min(code) from marts.dim_area where level = 'committee'").item()
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--database", str(full_build.duckdb_path), "--out", str(tmp_path / "o"),
                                  "--committee", code, "--format", "csv", "--frequency", "monthly"])
    assert result.exit_code == 0, result.output
    monthly = [led for led in load_ledgers() if led.frequency == "monthly"]
    assert f"packages 1  files {len(monthly)}  rows" in result.output
    assert len(list((tmp_path / "o").rglob("*.csv"))) == len(monthly)
    refused = runner.invoke(main, ["export", "--database", str(full_build.duckdb_path), "--out", str(tmp_path / "u"),
                                   "--unmasked", "--role", "committee_staff"])
    assert refused.exit_code != 0
    assert "role 'committee_staff' may not export unmasked" in refused.output
    assert not (tmp_path / "u").exists()
    # an allowed role still may not write unmasked files into the outbox (it is delivered to committees)
    into_outbox = runner.invoke(main, ["export", "--database", str(full_build.duckdb_path), "--data-dir",
                                       str(tmp_path / "data"), "--unmasked", "--role", "data_bureau_auditor"])
    assert into_outbox.exit_code != 0
    assert "explicit --out folder outside the outbox" in into_outbox.output
    assert not (tmp_path / "data" / "outbox").exists()
