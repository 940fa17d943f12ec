"""`shequyun sources check <yaml>`: a department's sample previewed as canonical fields before anything lands."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from connectors.config import load_source_config
from connectors.preview import check_source, looks_like
from shequyun.cli import main

YAML = {"system": "xx_check", "title": "试接入系统", "department": "civil_affairs", "department_title": "市民政局",
        "format": "csv", "path": "civil_affairs/xx_check/*.csv",
        "columns": {"编号": "case_no", "姓名": "person_name", "身份证号": "id_number", "出生日期": "birth_date",
                    "电话": "phone", "登记日期": "start_date"},
        "required": ["case_no"], "primary_key": ["case_no"]}
SAMPLE = ("编号,姓名,身份证号,出生日期,电话,登记日期,备注\n"
          "A1,张三,3.10104E+17,1945-03-12,13812345678,13812345678,x\n"
          ",李四,310104194503120011,1950/1/2,021-12345678,13900001111,\n"
          "A3,王五,310104194503120011,19600101,13900001111,13700001111,y\n")


def _files(tmp_path: Path, **changes) -> tuple[Path, Path]:
    config = tmp_path / "xx_check.yaml"
    config.write_text(yaml.safe_dump({**YAML, **changes}, allow_unicode=True), encoding="utf-8")
    sample = tmp_path / "sample.csv"
    sample.write_text(SAMPLE, encoding="utf-8")
    return config, sample


def test_values_look_like() -> None:
    assert looks_like(["310104194503120011", "11010519491231002X", "310108840330008"]) == "id_number"
    assert looks_like(["1945-03-12", "1950/1/2", "19600101", "1962年3月"]) == "date"
    assert looks_like(["13812345678", "021-12345678"]) == "phone"
    assert looks_like(["3.10104E+17", "310104194503120011.0"]) == "excel-mangled number"
    assert looks_like(["张三", "1945-03-12"]) == "mixed" and looks_like([None, " "]) == ""


def test_check_reports_quarantine_kinds_and_downstream(tmp_path: Path) -> None:
    config, sample = _files(tmp_path)
    report = check_source(load_source_config(config), sample=sample)
    assert (report.rows_read, len(report.quarantined)) == (3, 1)
    assert report.quarantined[0][0] == 3 and "编号" in report.quarantined[0][1]   # row 3 (header = 1): empty 编号
    by_name = {c.canonical or c.header: c for c in report.columns}
    assert by_name["id_number"].mangled == 1 and not by_name["id_number"].disagrees
    assert by_name["start_date"].looks == "phone" and by_name["start_date"].disagrees     # a date column of phones
    assert by_name["备注"].canonical is None                                              # lands under its header
    assert [r["case_no"] for r in report.rows] == ["A1", "A3"]
    assert report.contribution is not None and report.contribution.persons == ["subject"]
    text = report.render()
    assert "3 rows read, 2 would land, 1 would be quarantined" in text and "<- check the kind" in text
    assert "mangled by Excel" in text and "persons: subject" in text


def test_cli_names_a_bad_yaml_key(tmp_path: Path) -> None:
    config, sample = _files(tmp_path, staging={"fields": {"phone": {"kind": "telephone"}}})
    result = CliRunner().invoke(main, ["sources", "check", str(config), "--file", str(sample), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "staging.fields.phone" in result.output and "unknown kind 'telephone'" in result.output
    ok, _ = _files(tmp_path)
    result = CliRunner().invoke(main, ["sources", "check", str(ok), "--file", str(sample), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "would be quarantined" in result.output
