"""Materialise bronze assets in process with the real connectors on small fixture files in a temporary data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from bronze_fixtures import (
    HUKOU_ROWS,
    write_broken_employment,
    write_hukou,
    write_tekun,
)

from pipelines.run import run_ingest
from quality.runner import latest_batch
from shequyun.core.settings import Paths


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


def test_a_broken_file_fails_the_system_after_its_good_file_is_landed(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    write_hukou(paths, "hukou_2026-11-01.csv")
    broken = paths.landing / "public_security" / "ps_hukou" / "hukou_2026-11-02.csv"
    broken.write_bytes("姓名,性别\n张三,男\n".encode("gbk"))  # no 户号 (required)
    hukou = run_ingest(tmp_path, ["ps_hukou"]).system("ps_hukou")
    assert hukou.status == "failed" and "hukou_2026-11-02.csv" in hukou.message
    assert (hukou.rows_read, hukou.rows_landed, hukou.rows_quarantined) == (4, 3, 1)
    assert sorted(latest_batch(paths, "ps_hukou")["person_name"]) == ["张伟", "李芳", "王强"]
