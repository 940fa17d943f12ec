from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.landing import load_system

HEADER = ["编号", "姓名", "身份证号", "电话"]


def _xlsx(rows: list[list], *, sheet: str = "名册", start_row: int = 0, extra_sheets: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name in extra_sheets:
        wb.add_worksheet(name).write(0, 0, "x")
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(start_row + r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif value is not None:
                ws.write(start_row + r, c, value)
    wb.close()
    return buf.getvalue()


def _cfg(make_cfg, **kw):
    return make_cfg(format="xlsx", path="test_dept/t_people/*.xlsx", sheet="名册", encoding=None, delimiter=None, **kw)


def test_xlsx_lands_cells_as_strings_with_sheet_row_numbers(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    rows = [
        HEADER + ["日期"],
        ["001", "张三", "310101199001010011", 13800000001, dt.date(2020, 1, 2)],
        [None, None, None, None, None],  # blank row 3: not a record
        ["002", "李四", "31010119900101002X", None, None],
        ["003", None, "x", 1.5, None],  # required 姓名 empty
    ]
    land_file(paths, cfg, "a.xlsx", _xlsx(rows, extra_sheets=("说明",)))
    result = load_system(cfg, paths)
    assert result.failures == []
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [2, 4]
    assert df["record_id"].to_list() == ["001", "002"]
    assert df["phone"].to_list() == ["13800000001", None]
    assert df["日期"].to_list()[0].startswith("2020-01-02")
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [5] and q["field"].to_list() == ["person_name"]
    assert any("日期" in w for w in result.warnings)


def test_leading_blank_rows_keep_sheet_row_numbers(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    land_file(paths, cfg, "a.xlsx", _xlsx([HEADER, ["001", "张三", "1", "2"]], start_row=2))
    result = load_system(cfg, paths)
    assert result.failures == []
    assert bronze(paths, "t_people")["_row_number"].to_list() == [4]  # header on row 3


def test_missing_sheet_names_the_sheets_found(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    land_file(paths, cfg, "a.xlsx", _xlsx([HEADER, ["001", "张三", "1", "2"]], sheet="Sheet1", extra_sheets=("封面",)))
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    msg = str(result.failures[0])
    assert "'名册' not found" in msg and "'封面'" in msg and "'Sheet1'" in msg
    assert result.receipts[0].status == "failed"


def test_truncated_xlsx_fails_and_the_next_file_loads(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    data = _xlsx([HEADER, ["001", "张三", "1", "2"]])
    land_file(paths, cfg, "a_truncated.xlsx", data[: len(data) // 2])
    land_file(paths, cfg, "b.xlsx", data)
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed", "landed"]
    err = result.failures[0]
    assert err.source == "landing/test_dept/t_people/a_truncated.xlsx" and "truncated or corrupt" in err.reason
    assert bronze(paths, "t_people").height == 1


def test_encrypted_xlsx_is_named(paths, make_cfg, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    cfg = _cfg(make_cfg)
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(_xlsx([HEADER, ["001", "张三", "1", "2"]]))
    out = io.BytesIO()
    with plain.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    land_file(paths, cfg, "a.xlsx", out.getvalue())
    result = load_system(cfg, paths)
    assert len(result.failures) == 1 and "password-protected" in str(result.failures[0])


def test_ole_file_without_encryption_info_is_named(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    land_file(paths, cfg, "a.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    result = load_system(cfg, paths)
    assert len(result.failures) == 1 and "OLE compound file" in str(result.failures[0])


def test_empty_xlsx_file(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    land_file(paths, cfg, "a.xlsx", b"")
    result = load_system(cfg, paths)
    assert "empty (0 bytes)" in str(result.failures[0])


def test_title_rows_above_the_header_are_skipped_with_a_warning(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    rows = [["低保对象名册", None, None, None], ["填报单位：某街道", None, None, None], HEADER, ["001", "张三", "1", "2"]]
    land_file(paths, cfg, "a.xlsx", _xlsx(rows))
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people")
    assert df["_row_number"].to_list() == [4] and df["person_name"].to_list() == ["张三"]
    assert any("低保对象名册" in w and "2 row(s) above the header" in w for w in result.warnings)


def test_formula_error_cells_land_as_their_error_value(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("名册")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ["001", "张三", "1", "2"])
    ws.write_row(2, 0, ["002", "李四"])
    ws.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    ws.write_formula(2, 3, "=NA()", None, "#N/A")
    wb.close()
    land_file(paths, cfg, "a.xlsx", buf.getvalue())
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["id_number"].to_list() == ["1", "#DIV/0!"] and df["phone"].to_list() == ["2", "#N/A"]
    assert any("2 formula error cell(s)" in w and "row 3" in w for w in result.warnings)
