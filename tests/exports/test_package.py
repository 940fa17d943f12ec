"""Committee packages on the fixture database: layout, manifest, masking, read-once, atomic publication, refusals."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from exports_fixture_db import AS_OF, FixtureDatabase, full_id_numbers_in

import exports.package as package_module
from exports.catalogue import CatalogueError
from exports.config import UnmaskedNotAllowed
from exports.package import MANIFEST_NAME, ExportError, default_period, export_packages
from shequyun.files.writers import TITLE_ROWS, sha256_of

PERIOD = "2026-11"


@pytest.fixture
def export(fixture_db: FixtureDatabase, tmp_path: Path):
    def run(**kwargs):
        kwargs.setdefault("project_dir", fixture_db.project_dir)
        kwargs.setdefault("workers", 1)
        return export_packages(fixture_db.path, tmp_path / "outbox", kwargs.pop("period", PERIOD), **kwargs)
    return run


def test_one_package_per_committee(export, fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    summary = export()
    assert sorted(p.committee_code for p in summary.packages) == sorted(fixture_db.committees)
    assert len(summary.packages) == 4 and summary.files == 4 * 2 * 3
    elderly_rows = sum(1 for r in fixture_db.elderly if r[2] is not None)
    assert summary.rows == elderly_rows + 4 * 2          # elderly + the committee rows of the rollup
    assert summary.unassigned == {"elderly_test": 1}     # the row with no committee is reported, not dropped
    assert "WARNING elderly_test: 1 rows" in summary.render()
    assert summary.data_as_of == AS_OF
    for result in summary.packages:
        street, district = fixture_db.committees[result.committee_code]
        assert result.folder == tmp_path / "outbox" / district / street / result.committee_code / PERIOD
        assert sorted(p.name for p in result.folder.iterdir()) == sorted(
            [MANIFEST_NAME] + [f"{t}_{PERIOD}.{x}" for t in ("高龄老人名册", "实有人口统计表")
                               for x in ("xlsx", "csv", "parquet")])
        assert all(f.exists() for f in result.files)
    assert not [p for p in (tmp_path / "outbox").iterdir() if p.name.startswith(".")]   # no staging left


def test_manifest_matches_the_files(export) -> None:
    summary = export()
    for result in summary.packages:
        manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
        assert manifest["committee_code"] == result.committee_code
        assert (manifest["period"], manifest["data_as_of"], manifest["masking"]) == (PERIOD, AS_OF, "masked")
        assert manifest["generated_at"].endswith("+00:00")
        assert len(manifest["files"]) == 6 and manifest["rows"] == result.rows
        for entry in manifest["files"]:
            path = result.folder / entry["file"]
            assert entry["sha256"] == sha256_of(path)
            assert entry["bytes"] == path.stat().st_size
            assert {"ledger", "title", "rows", "file", "sha256", "format"} <= set(entry)
            if entry["format"] == "parquet":
                assert pl.read_parquet(path).height == entry["rows"]


def test_rows_per_committee_match_the_database(export, fixture_db: FixtureDatabase) -> None:
    summary = export()
    for result in summary.packages:
        expected = sum(1 for r in fixture_db.elderly if r[2] == result.committee_code)
        frame = pl.read_parquet(result.folder / f"高龄老人名册_{PERIOD}.parquet")
        assert frame.height == expected
        assert set(frame["committee_code"]) <= {result.committee_code}
        counts = pl.read_parquet(result.folder / f"实有人口统计表_{PERIOD}.parquet")
        assert counts["level"].to_list() == ["committee", "committee"]          # no street / district rows
        assert set(counts["committee_code"]) == {result.committee_code}


def test_rows_in_the_declared_order(export) -> None:
    summary = export(committees=["310106006001"], formats=["parquet", "xlsx"])
    folder = summary.packages[0].folder
    assert pl.read_parquet(folder / f"高龄老人名册_{PERIOD}.parquet")["name"].to_list() == [
        "李秀英", "张伟", "阿依古丽·买买提"]                     # meta.ledger.order_by: [birth_date]
    sheet = openpyxl.load_workbook(folder / f"高龄老人名册_{PERIOD}.xlsx").active
    assert [r[3] for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)] == [
        "李秀英", "张伟", "阿依古丽·买买提"]


def test_rows_tied_on_the_declared_order_come_out_the_same_way(fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    """Rows that tie on meta.ledger.order_by are ordered by the other exported columns: the same rows make the same
    bytes whatever order the table stores them in."""
    outputs = []
    for storage in ("asc", "desc"):
        copy = tmp_path / f"{storage}.duckdb"
        shutil.copy2(fixture_db.path, copy)
        with duckdb.connect(str(copy)) as con:
            con.execute("update reports.rpt_ledger__elderly_test set birth_date = date '1940-01-01' "
                        "where committee_code = '310106006001'")          # all three tie on the declared key
            con.execute(f"create or replace table reports.rpt_ledger__elderly_test as select * from "
                        f"reports.rpt_ledger__elderly_test order by name {storage}")
        summary = export_packages(copy, tmp_path / storage, PERIOD, project_dir=fixture_db.project_dir,
                                  committees=["310106006001"], formats=["csv"], workers=1)
        outputs.append(next(summary.packages[0].folder.glob("*.csv")).read_bytes())
    assert outputs[0] == outputs[1]


def test_xlsx_title_headers_and_masking(export) -> None:
    summary = export(committees=["310106006001"])
    result = summary.packages[0]
    sheet = openpyxl.load_workbook(result.folder / f"高龄老人名册_{PERIOD}.xlsx").active
    assert sheet["A1"].value == "高龄老人名册"
    assert sheet["A2"].value == "静安区 江宁路街道 恒德里居委会（310106006001）"
    assert f"报告期：{PERIOD}" in sheet["A3"].value and f"数据截至：{AS_OF}" in sheet["A3"].value
    headers = [c.value for c in sheet[TITLE_ROWS + 1]]
    assert headers == ["区代码", "街镇代码", "居委会代码", "姓名", "身份证号", "出生日期", "年龄", "联系电话",
                       "是否独居", "居住地址"]
    assert "人员编号" not in headers                       # export: false
    assert sheet.freeze_panes == f"A{TITLE_ROWS + 2}"
    rows = {r[3]: r for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)}
    assert rows["张伟"][4] == "310***********0011" and rows["张伟"][7] == "138****5678"
    assert rows["阿依古丽·买买提"][7] == "021****0452"


def test_no_full_id_number_in_any_file(export, fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    export()
    assert full_id_numbers_in(tmp_path / "outbox") == {}
    # the scan is able to see them: an authorised unmasked export holds every committee's ID numbers
    unmasked = export_packages(fixture_db.path, tmp_path / "audit", PERIOD, project_dir=fixture_db.project_dir,
                               unmasked=True, role="data_bureau_auditor")
    found = {i for ids in full_id_numbers_in(tmp_path / "audit").values() for i in ids}
    assert found == {r[5] for r in fixture_db.elderly if r[2] is not None}
    manifest = json.loads(unmasked.packages[0].manifest_path.read_text(encoding="utf-8"))
    assert (manifest["masking"], manifest["role"]) == ("unmasked", "data_bureau_auditor")


@pytest.mark.parametrize(("role", "message"), [
    (None, "an unmasked export needs a role allowed to see full ID and phone numbers"),
    ("committee_staff", "role 'committee_staff' may not export unmasked"),
    ("mayor", "unknown role 'mayor'"),
])
def test_unmasked_refused_without_an_allowed_role(export, tmp_path: Path, role: str | None, message: str) -> None:
    with pytest.raises(UnmaskedNotAllowed, match=message):
        export(unmasked=True, role=role)
    assert not (tmp_path / "outbox").exists()


def test_each_ledger_read_once(export, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = package_module.ledger_query

    def counting(ledger, **kwargs):
        calls.append(ledger.model)
        return original(ledger, **kwargs)

    monkeypatch.setattr(package_module, "ledger_query", counting)
    export()
    assert sorted(calls) == ["rpt_ledger__elderly_test", "rpt_ledger__population_counts_test"]


def test_selection_of_committees_ledgers_formats(export) -> None:
    summary = export(committees=["310113104003"], ledgers=["elderly_test"], formats=["csv"])
    (result,) = summary.packages
    assert [p.name for p in result.files] == [f"高龄老人名册_{PERIOD}.csv"]
    assert result.rows == 0                                   # a committee with no rows still files the ledger
    assert (result.folder / f"高龄老人名册_{PERIOD}.csv").read_text(encoding="utf-8-sig").startswith("区代码,")
    assert summary.unassigned == {}


def test_bad_requests_publish_nothing(export, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown committee code.s. 310000000000"):
        export(committees=["310000000000"])
    with pytest.raises(CatalogueError, match="unknown ledger.s. nope"):
        export(ledgers=["nope"])
    with pytest.raises(ExportError, match="period '2026-13' is not a report period"):
        export(period="2026-13")
    with pytest.raises(ExportError, match="period '2026-11' is monthly, not quarterly"):
        export(frequency="quarterly")
    with pytest.raises(ExportError, match="no ledgers to export of frequency annual"):
        export(frequency="annual", period="2026")
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").rglob(MANIFEST_NAME))


def test_missing_ledger_table(fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    shutil.copy(fixture_db.path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table reports.rpt_ledger__population_counts_test")
    with pytest.raises(ExportError, match="has no table reports.rpt_ledger__population_counts_test"):
        export_packages(db, tmp_path / "out", PERIOD, project_dir=fixture_db.project_dir)


def test_undeclared_id_number_column_refused(fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    db = tmp_path / "leaky.duckdb"
    shutil.copy(fixture_db.path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update reports.rpt_ledger__elderly_test set address = '证件 ' || id_number where name = '张伟'")
    with pytest.raises(ExportError, match=r"rpt_ledger__elderly_test\.address holds full ID numbers"):
        export_packages(db, tmp_path / "out", PERIOD, project_dir=fixture_db.project_dir)
    with duckdb.connect(str(db)) as con:
        con.execute("update reports.rpt_ledger__elderly_test set address = '13812345678' where name = '张伟'")
    with pytest.raises(ExportError, match=r"\.address holds full mobile numbers"):
        export_packages(db, tmp_path / "out", PERIOD, project_dir=fixture_db.project_dir)


def test_package_replaced_whole_and_never_half_written(export, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = export()
    folder = first.packages[0].folder
    (folder / "stale.txt").write_text("from an older export", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    original = package_module.write_ledger_file
    written: list[Path] = []

    def failing(fmt, path, *args, **kwargs):
        if len(written) == 7:                      # fail in the middle of the export
            raise OSError("disk full")
        written.append(path)
        return original(fmt, path, *args, **kwargs)

    monkeypatch.setattr(package_module, "write_ledger_file", failing)
    with pytest.raises(OSError, match="disk full"):
        export()
    # the previous packages are untouched and nothing of the failed run is visible
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not [p for p in (tmp_path / "outbox").iterdir() if p.name.startswith(".")]

    monkeypatch.setattr(package_module, "write_ledger_file", original)
    again = export()
    assert not (folder / "stale.txt").exists()     # a new package replaces the old one as a whole
    assert len(list(again.packages[0].folder.iterdir())) == 7


def test_worker_processes_write_the_same_packages(export, tmp_path: Path) -> None:
    moment = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    alone = export(generated_at=moment, workers=1)
    manifests = {p.committee_code: p.manifest_path.read_text(encoding="utf-8") for p in alone.packages}
    shared = export(generated_at=moment, workers=2)
    assert {p.committee_code: p.manifest_path.read_text(encoding="utf-8") for p in shared.packages} == manifests
    assert shared.unassigned == alone.unassigned == {"elderly_test": 1}


def test_stale_staging_of_a_dead_export_is_removed(export, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    stale, fresh = outbox / ".staging-dead", outbox / ".staging-running"
    for folder in (stale, fresh):
        (folder / "310106" / "x").mkdir(parents=True)
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    export(committees=["310113104003"], formats=["csv"])
    assert not stale.exists() and fresh.exists()


def test_default_period_from_as_of(fixture_db: FixtureDatabase) -> None:
    assert default_period(fixture_db.path, "monthly") == "2026-11"
    assert default_period(fixture_db.path, "weekly") == "2026-W44"
    assert default_period(fixture_db.path, "quarterly") == "2026-Q4"
    assert default_period(fixture_db.path, "annual") == "2026"


def test_manifest_dates_come_from_build_info(fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    """data_as_of and database_built_at of a package are the database's build_info, not the file's clock; a
    database without build_info is refused with a message saying to rebuild it."""

    copy = tmp_path / "db.duckdb"
    shutil.copy2(fixture_db.path, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.build_info set as_of = date '2026-08-15'")
    summary = export_packages(copy, tmp_path / "out", "2026-08", project_dir=fixture_db.project_dir,
                              committees=["310106006001"], formats=["csv"], workers=0)
    manifest = json.loads(next((tmp_path / "out").rglob("manifest.json")).read_text(encoding="utf-8"))
    assert summary.data_as_of == manifest["data_as_of"] == "2026-08-15"
    assert manifest["database_built_at"] == "2026-11-01T18:30:00+00:00"
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table marts.build_info")
    with pytest.raises(ExportError, match="rebuild"):
        export_packages(copy, tmp_path / "again", "2026-08", project_dir=fixture_db.project_dir, formats=["csv"])


def test_the_manifest_names_the_systems_whose_last_load_failed(fixture_db: FixtureDatabase, tmp_path: Path) -> None:
    """A build that went on with a failed system's last good data (build_info stale) says so in every package."""
    import shutil

    import duckdb

    db = tmp_path / "shequyun.duckdb"
    shutil.copy(fixture_db.path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("""create or replace table marts.build_info as select as_of, built_at, code_version, [
            {'system': 'ps_hukou', 'last_loaded_at': timestamptz '2026-11-02 01:00:00+08',
             'last_landed_at': timestamptz '2026-11-02 01:00:00+08', 'stale': false},
            {'system': 'ca_tekun', 'last_loaded_at': timestamptz '2026-11-02 01:05:00+08',
             'last_landed_at': timestamptz '2026-10-02 01:05:00+08', 'stale': true}] as source_batches
            from marts.build_info""")
    summary = export_packages(db, tmp_path / "out", PERIOD, project_dir=fixture_db.project_dir)
    manifests = [json.loads((p.folder / MANIFEST_NAME).read_text(encoding="utf-8")) for p in summary.packages]
    assert manifests and all(m["stale_sources"] == [{"system": "ca_tekun",
                                                     "last_landed_at": "2026-10-01T17:05:00+00:00",
                                                     "last_failed_at": "2026-11-01T17:05:00+00:00"}]
                             for m in manifests)
    fresh = export_packages(fixture_db.path, tmp_path / "out2", PERIOD, project_dir=fixture_db.project_dir)
    assert json.loads((fresh.packages[0].folder / MANIFEST_NAME).read_text(encoding="utf-8"))["stale_sources"] == []
