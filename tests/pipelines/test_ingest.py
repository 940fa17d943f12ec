"""Materialise bronze assets in process with the real connectors on small fixture files in a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.run import run_ingest
from quality.runner import latest_batch
from shequyun.settings import Paths

HUKOU_HEADER = "户号,姓名,性别,民族,出生日期,公民身份号码,与户主关系,户籍地址,户口登记日期,户口状态,注销日期,文化程度,联系电话"
HUKOU_ROWS = [
    "000000001,张伟,男,汉族,1949-12-31,11010519491231002X,户主,上海市黄浦区福州路123号,1980/1/2,正常,,高中,13912345678",
    "000000001,李芳,女,汉族,19500304,440524188001010014,配偶,上海市黄浦区福州路123号,1980年1月2日,正常,,初中,",
    "000000002,王强,1,汉族,1984-03-30,310108840330008,户主,上海市静安区共和新路1号,29221,正常,,大学本科,021-61234567",
    "000000002,,男,汉族,1990-01-01,31010819840330008X,子女,上海市静安区共和新路1号,2001-01-01,正常,,大学本科,",  # no name: quarantined
]


def write_hukou(paths: Paths, name: str = "hukou_2026-11-01.csv", rows: list[str] = HUKOU_ROWS) -> Path:
    file = paths.landing / "public_security" / "ps_hukou" / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(("\r\n".join([HUKOU_HEADER, *rows]) + "\r\n").encode("gbk"))
    return file


def write_tekun(paths: Paths) -> Path:
    file = paths.landing / "civil_affairs" / "ca_tekun" / "tekun.jsonl"
    file.parent.mkdir(parents=True, exist_ok=True)
    records = [
        {"caseNo": "TK0001", "name": "赵敏", "idCard": "11010519491231002X", "gender": "女", "birthday": "1949-12-31",
         "supportType": "分散供养", "startDate": "2020-01-01", "address": "上海市黄浦区", "phone": "13800000000",
         "caregiver": "赵一"},
        {"caseNo": "TK0002", "name": "钱多", "idCard": "440524188001010014", "gender": "男", "birthday": "1935-01-01",
         "supportType": "集中供养", "startDate": "2021/3/4", "address": "上海市静安区", "phone": "", "caregiver": ""},
    ]
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return file


def write_broken_employment(paths: Paths) -> Path:
    """A file without the required 登记编号 column: the whole file fails."""
    file = paths.landing / "human_resources" / "hr_employment" / "employment.csv"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes("姓名,证件号码\n张三,11010519491231002X\n".encode("gbk"))
    return file


def test_systems_land_with_checks_and_a_failing_system_does_not_stop_the_others(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    write_hukou(paths)
    write_tekun(paths)
    write_broken_employment(paths)
    summary = run_ingest(tmp_path, ["ps_hukou", "ca_tekun", "hr_employment"])

    hukou = summary.system("ps_hukou")
    assert (hukou.status, hukou.rows_read, hukou.rows_landed, hukou.rows_quarantined) == ("landed", 4, 3, 1)
    assert hukou.checks_failed == 0 and hukou.checks_passed >= 8, hukou.failed_checks
    bronze = latest_batch(paths, "ps_hukou")
    assert sorted(bronze["person_name"]) == ["张伟", "李芳", "王强"]

    tekun = summary.system("ca_tekun")
    assert (tekun.status, tekun.rows_landed) == ("landed", 2)
    assert tekun.checks_failed == 0 and tekun.checks_passed > 0

    employment = summary.system("hr_employment")
    assert employment.status == "failed" and "登记编号" in employment.message
    assert not summary.success


def test_second_run_lands_nothing_new_and_a_new_file_only_its_rows(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    write_hukou(paths)
    first = run_ingest(tmp_path, ["ps_hukou"]).system("ps_hukou")
    assert first.rows_landed == 3
    second = run_ingest(tmp_path, ["ps_hukou"]).system("ps_hukou")
    assert (second.status, second.rows_read, second.rows_landed) == ("no_new_data", 0, 0)

    bad_ids = [r.replace("11010519491231002X", "1101051949").replace("440524188001010014", "44052418800101")
               for r in HUKOU_ROWS[:2]]
    write_hukou(paths, "hukou_2026-11-02.csv", bad_ids)
    third = run_ingest(tmp_path, ["ps_hukou"]).system("ps_hukou")
    assert (third.status, third.rows_landed) == ("landed", 2)
    # the checks validate the new batch only: both of its IDs are broken
    assert third.failed_checks == ["bronze_ps_hukou__id_number_shape"]


def test_database_system_without_server_is_skipped_or_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEQUYUN_PG_DSN", "postgresql://postgres@127.0.0.1:1/test")  # nothing listens on port 1
    paths = Paths(tmp_path)
    write_tekun(paths)
    skipped = run_ingest(tmp_path, ["ps_population", "ca_tekun"], skip_unavailable_databases=True)
    population = skipped.system("ps_population")
    assert population.status == "skipped" and "does not answer" in population.message
    assert skipped.system("ca_tekun").status == "landed"
    assert skipped.success

    failed = run_ingest(tmp_path, ["ps_population"])
    assert failed.system("ps_population").status == "failed" and not failed.success
