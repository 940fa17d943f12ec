"""Odd values at the door (issue 13 item 4): a NUL byte, another control character or a value longer than its kind
allows sends the row to quarantine with a reason naming the field; tabs and line breaks inside a value are text."""

from __future__ import annotations

from pathlib import Path

import deltalake
import polars as pl
import yaml

from connectors.config import load_source_config
from connectors.landing import LENGTH_LIMITS, load_system
from shequyun.core.settings import Paths

CONFIG = {"system": "xx_odd", "title": "新系统", "department": "civil_affairs", "department_title": "市民政局",
          "format": "csv", "path": "civil_affairs/xx_odd/*.csv", "encoding": "utf-8", "delimiter": ",",
          "columns": {"编号": "case_no", "姓名": "person_name", "住址": "address", "备注": "remark"},
          "primary_key": ["case_no"], "required": ["case_no"], "staging": {"fields": {"remark": {"kind": "text"}}}}


def test_control_characters_and_over_long_values_are_quarantined_with_the_field(tmp_path: Path) -> None:
    (tmp_path / "xx_odd.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / "landing" / "civil_affairs" / "xx_odd"
    folder.mkdir(parents=True)
    long_address = "上海市" + "某" * LENGTH_LIMITS["address"]
    rows = [
        "1,张三,某路1号,\"两行\n备注\twith a tab\"",        # a quoted multi-line cell with a tab: kept
        "2,李\x00四,某路2号,",                             # NUL byte in a name
        f"3,王五,{long_address},",                         # 503 characters where an address holds 500
        "4,赵\x1b六,某路4号,",                             # ESC
        "5,钱七,某路5号," + "备" * 4000,                    # a text field at its limit: kept
    ]
    (folder / "odd.csv").write_text("编号,姓名,住址,备注\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = load_system(load_source_config(tmp_path / "xx_odd.yaml"), Paths(tmp_path))
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (5, 2, 3)
    quarantine = pl.from_arrow(deltalake.DeltaTable(str(tmp_path / "lake" / "quarantine" / "xx_odd"))
                               .to_pyarrow_table()).sort("_row_number")
    reasons = dict(zip(quarantine["_row_number"].to_list(), quarantine["reason"].to_list()))
    assert reasons[4] == "姓名 (person_name) holds a NUL byte"                    # the row number counts the header
    assert reasons[5].startswith("住址 (address) is 503 characters long, over the limit of 500 for a address")
    assert reasons[6] == "姓名 (person_name) holds the control character U+001B"
    assert quarantine["field"].to_list() == ["person_name", "address", "person_name"]
    assert "\\u0000" in quarantine["raw"][0] or "\x00" in quarantine["raw"][0]   # the row as delivered
    bronze = pl.from_arrow(deltalake.DeltaTable(str(tmp_path / "lake" / "bronze" / "xx_odd")).to_pyarrow_table())
    assert sorted(bronze["case_no"].to_list()) == ["1", "5"]
    assert "\t" in bronze.filter(pl.col("case_no") == "1")["remark"][0]


def test_rows_delivered_again_are_counted_not_landed_again(tmp_path: Path) -> None:
    """A department sends the same extract again under another name with a trailing newline more (a new checksum):
    its rows are recognised by their row hash and counted as already landed; a changed row and a new one land."""
    (tmp_path / "xx_odd.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    cfg = load_source_config(tmp_path / "xx_odd.yaml")
    folder = tmp_path / "landing" / "civil_affairs" / "xx_odd"
    folder.mkdir(parents=True)
    first = "编号,姓名,住址,备注\n1,张三,某路1号,\n2,李四,某路2号,\n3,王五,某路3号,\n3,王五,某路3号,\n"
    (folder / "extract_2026-10.csv").write_text(first, encoding="utf-8")
    one = load_system(cfg, Paths(tmp_path))
    assert (one.rows_read, one.rows_landed, one.rows_redelivered) == (4, 4, 0)   # an exact repeat in one file lands
    (folder / "extract_2026-10_resent.csv").write_text(first + "\n", encoding="utf-8")
    again = load_system(cfg, Paths(tmp_path))
    assert (again.rows_read, again.rows_landed, again.rows_quarantined, again.rows_redelivered) == (4, 0, 0, 4)
    (resent,) = [r for r in again.receipts if r.source.endswith("resent.csv")]
    assert resent.rows_redelivered == 4 and "4 rows already landed by an earlier delivery" in resent.message
    changed = first.replace("李四,某路2号", "李四,某路22号") + "4,赵六,某路4号,\n"
    (folder / "extract_2026-11.csv").write_text(changed, encoding="utf-8")
    third = load_system(cfg, Paths(tmp_path))
    assert (third.rows_read, third.rows_landed, third.rows_redelivered) == (5, 2, 3)
    bronze = pl.from_arrow(deltalake.DeltaTable(str(tmp_path / "lake" / "bronze" / "xx_odd")).to_pyarrow_table())
    assert bronze.height == 6
    receipts = pl.from_arrow(deltalake.DeltaTable(str(tmp_path / "lake" / "receipts")).to_pyarrow_table())
    assert (receipts["rows_read"] == receipts["rows_landed"] + receipts["rows_quarantined"]
            + receipts["rows_redelivered"]).all()
