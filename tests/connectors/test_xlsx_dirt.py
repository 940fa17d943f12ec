"""File-level dirt of real Excel extracts (issue 9 item 3): title and notes rows above the header, the header
declared by `header_row`, header cells merged over several columns, two-row headers, the sheet found by its
header when `sheet` is not given, notes and totals rows below the data. Title rows above the header found by
the configured headers, and a configured sheet among several, are covered in test_xlsx.py
(test_title_rows_above_the_header_are_skipped_with_a_warning, test_xlsx_lands_cells_as_strings_with_sheet_row_numbers)."""

from __future__ import annotations

import io
import json

import pytest
import xlsxwriter
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.errors import ConfigError
from connectors.landing import load_system

HEADER = ["编号", "姓名", "身份证号", "电话"]
PEOPLE = [["001", "张三", "310101199001010011", "13800000001"], ["002", "李四", "31010119900101002X", "13800000002"]]


def _book(sheets: dict[str, list[list]], merges: dict[str, list[tuple[str, str]]] | None = None) -> bytes:
    """A workbook: per sheet, rows from worksheet row 1 (None: no cell) and merged ranges ("A1:D1", text)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        for cells, text in (merges or {}).get(name, []):
            ws.merge_range(cells, text)
    wb.close()
    return buf.getvalue()


def _cfg(make_cfg, **kw):
    kw.setdefault("sheet", "名册")
    return make_cfg(format="xlsx", path="test_dept/t_people/*.xlsx", encoding=None, delimiter=None, **kw)


def _land(paths, cfg, content: bytes):
    land_file(paths, cfg, "a.xlsx", content)
    result = load_system(cfg, paths)
    assert_balanced(result)
    return result


def test_merged_title_and_notes_rows_above_the_header(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    rows = [[None] * 4, [None] * 4, HEADER, *PEOPLE]
    merges = {"名册": [("A1:D1", "低保对象名册（2024年6月）"), ("A2:B2", "填报单位：某街道"), ("C2:D2", "填报日期：2024-07-01")]}
    result = _land(paths, cfg, _book({"名册": rows}, merges))
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [4, 5] and df["person_name"].to_list() == ["张三", "李四"]
    assert any("2 row(s) above the header" in w and "填报日期：2024-07-01" in w for w in result.warnings)


def _with_notes_above(n: int) -> list[list]:
    return [[f"说明第{i}条：本表按街道汇总，数据截至上月末", None, None, None] for i in range(1, n + 1)]


def test_header_row_declared_in_the_yaml(paths, make_cfg) -> None:
    rows = [*_with_notes_above(13), HEADER, *PEOPLE]  # the header on worksheet row 14
    searched = _land(paths, _cfg(make_cfg), _book({"名册": rows}))
    assert len(searched.failures) == 1  # beyond the rows searched for a header: the first row is taken
    assert "required column missing" in str(searched.failures[0])

    cfg = _cfg(make_cfg, header_row=14, system="t_declared")
    result = _land(paths, cfg, _book({"名册": rows}))
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    df = bronze(paths, "t_declared").sort("_row_number")
    assert df["_row_number"].to_list() == [15, 16] and df["id_number"].to_list() == [PEOPLE[0][2], PEOPLE[1][2]]
    assert any("13 row(s) above the header" in w for w in result.warnings)


def test_header_row_wins_over_a_row_matching_more_headers(paths, make_cfg) -> None:
    rows = [HEADER, ["编号", "姓名", "身份证号", None], *PEOPLE]  # a template row left above the real header
    result = _land(paths, _cfg(make_cfg, header_row=2), _book({"名册": rows}))
    assert result.failures == [] and result.rows_landed == 2
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [3, 4] and df["record_id"].to_list() == ["001", "002"]
    # the declared header has no 电话: its values land under a generated name, phone is null
    assert df["column_4"].to_list() == [PEOPLE[0][3], PEOPLE[1][3]] and df["phone"].to_list() == [None, None]


def test_header_row_on_an_empty_row_fails_naming_it(paths, make_cfg) -> None:
    result = _land(paths, _cfg(make_cfg, header_row=3), _book({"名册": [HEADER, PEOPLE[0], [None] * 4, PEOPLE[1]]}))
    assert len(result.failures) == 1
    err = result.failures[0]
    assert err.row == 3 and "header_row 3" in err.reason and "empty" in err.reason


@pytest.mark.parametrize("value", [0, -1, "三", True, 1.5])
def test_header_row_must_be_a_positive_worksheet_row(make_cfg, value) -> None:
    with pytest.raises(ConfigError, match="header_row.*worksheet row"):
        _cfg(make_cfg, header_row=value)


def test_header_row_is_an_xlsx_option(make_cfg) -> None:
    with pytest.raises(ConfigError, match="header_row.*xlsx"):
        make_cfg(header_row=2)  # csv


def test_header_row_is_read_from_the_yaml(make_cfg) -> None:
    assert _cfg(make_cfg, header_row=14).header_row == 14 and _cfg(make_cfg).header_row is None


def test_header_cell_merged_over_two_columns_names_both(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    rows = [[*HEADER, None, None], [*PEOPLE[0], "浦东新区", "张江路1号"], [*PEOPLE[1], "黄浦区", None]]
    result = _land(paths, cfg, _book({"名册": rows}, {"名册": [("E1:F1", "家庭住址")]}))
    assert result.failures == [] and result.rows_landed == 2
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["家庭住址"].to_list() == ["浦东新区", "黄浦区"] and df["家庭住址__2"].to_list() == ["张江路1号", None]
    assert not any("no header" in w for w in result.warnings)
    assert result.receipts[0].header == [*HEADER, "家庭住址", "家庭住址"]


def _two_row_header_book() -> bytes:
    rows = [
        [None] * 7,
        [None, None, None, None, None, "户籍信息", None],
        [None, None, None, "手机", "座机", "户籍地", None],
        ["001", "张三", "310101199001010011", "13800000001", "021-1", "上海", "无"],
        ["002", "李四", "31010119900101002X", "13800000002", None, "北京", None],
    ]
    merges = [
        ("A1:G1", "人员名册"), ("A2:A3", "编号"), ("B2:B3", "姓名"), ("C2:C3", "身份证号"), ("D2:E2", "联系方式"),
        ("G2:G3", "备注"),
    ]
    return _book({"名册": rows}, {"名册": merges})


def test_two_row_header_with_merged_groups(paths, make_cfg) -> None:
    # a leaf header (手机) or the group/leaf path (联系方式/座机) maps; unmapped columns land as group/leaf
    cfg = _cfg(make_cfg, columns={"编号": "record_id", "姓名": "person_name", "身份证号": "id_number",
                                  "手机": "phone", "联系方式/座机": "landline"})
    result = _land(paths, cfg, _two_row_header_book())
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [4, 5]
    assert df["phone"].to_list() == ["13800000001", "13800000002"] and df["landline"].to_list() == ["021-1", None]
    assert df["户籍信息/户籍地"].to_list() == ["上海", "北京"] and df["备注"].to_list() == ["无", None]
    assert result.receipts[0].header == ["编号", "姓名", "身份证号", "手机", "联系方式/座机", "户籍信息/户籍地", "备注"]


def test_two_row_header_is_not_a_data_row_when_only_its_upper_row_is_configured(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg, columns={"编号": "record_id", "姓名": "person_name"}, required=["record_id"])
    result = _land(paths, cfg, _two_row_header_book())
    assert result.failures == [] and (result.rows_read, result.rows_landed) == (2, 2)
    assert bronze(paths, "t_people").sort("_row_number")["_row_number"].to_list() == [4, 5]


@pytest.mark.parametrize("group", [["联系方式", "联系方式"], ["联系方式", None]], ids=["repeated", "centred"])
def test_two_row_header_without_merges(paths, make_cfg, group) -> None:
    """Some exports repeat a group's text in every cell it spans, or centre it across them, instead of merging."""
    cfg = _cfg(make_cfg, columns={"编号": "record_id", "姓名": "person_name", "手机": "phone", "联系方式/座机": "landline"})
    rows = [["编号", "姓名", *group], [None, None, "手机", "座机"], ["001", "张三", "138", "021"]]
    result = _land(paths, cfg, _book({"名册": rows}))
    assert result.failures == [] and (result.rows_read, result.rows_landed) == (1, 1)
    df = bronze(paths, "t_people")
    assert (df["phone"][0], df["landline"][0], df["_row_number"][0]) == ("138", "021", 3)


def test_sheet_found_by_its_header_when_not_configured(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg, sheet=None)
    sheets = {
        "填报说明": [["本表由街道于每月5日前报送"], ["注：身份证号须为18位"]],
        "汇总": [["街道", "人数"], ["某街道", 2]],
        "人员名册": [["人员名册"], HEADER, *PEOPLE],
    }
    result = _land(paths, cfg, _book(sheets))
    assert result.failures == [] and result.rows_landed == 2
    assert bronze(paths, "t_people").sort("_row_number")["_row_number"].to_list() == [3, 4]
    assert any("sheet '人员名册'" in w and "4 of 4" in w for w in result.warnings)


def test_no_sheet_with_the_configured_header_fails_naming_the_sheets(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg, sheet=None)
    result = _land(paths, cfg, _book({"填报说明": [["说明"]], "汇总": [["街道", "人数"], ["某街道", 2]]}))
    assert len(result.failures) == 1
    msg = str(result.failures[0])
    assert "no sheet" in msg and "'填报说明'" in msg and "'汇总'" in msg and "sheet:" in msg


def test_single_sheet_without_sheet_configured_is_read(paths, make_cfg) -> None:
    result = _land(paths, _cfg(make_cfg, sheet=None), _book({"Sheet1": [HEADER, *PEOPLE]}))
    assert result.failures == [] and result.rows_landed == 2
    assert not any("sheet" in w for w in result.warnings)


def test_notes_and_totals_below_the_data_are_quarantined_not_landed(paths, make_cfg) -> None:
    cfg = _cfg(make_cfg)
    rows = [
        HEADER,
        *PEOPLE,
        ["备注：见附件", "王五", "1", "2"],  # inside the data: a record like any other
        ["003", "赵六", "3", "4"],
        [None] * 4,
        ["合  计", None, None, "3人"],
        [None] * 4,  # 制表人 ..., merged over the row
        [None, "注：1. 本表数据截至6月30日。", None, None],
        ["填报单位（盖章）：某街道", None, None, None],
    ]
    result = _land(paths, cfg, _book({"名册": rows}, {"名册": [("A8:D8", "制表人：钱七        审核人：孙八")]}))
    assert result.failures == [] and (result.rows_read, result.rows_landed, result.rows_quarantined) == (8, 4, 4)
    assert bronze(paths, "t_people").sort("_row_number")["_row_number"].to_list() == [2, 3, 4, 5]
    q = quarantine(paths, "t_people").sort("_row_number")
    assert q["_row_number"].to_list() == [7, 8, 9, 10]
    assert q["field"].to_list() == ["编号", "编号", "姓名", "编号"]
    assert q["reason"][0].startswith("total row below the data, not a record")
    assert all(r.startswith("note below the data, not a record") for r in q["reason"][1:])
    assert "制表人：钱七" in q["reason"][1]
    assert json.loads(q["raw"][0]) == {"编号": "合  计", "电话": "3人"}
    assert set(q["_source"]) == {"test_dept/t_people/a.xlsx"}
    assert any("4 row(s) below the data" in w for w in result.warnings)


def test_a_sheet_of_notes_only_below_a_header_lands_nothing(paths, make_cfg) -> None:
    result = _land(paths, _cfg(make_cfg), _book({"名册": [HEADER, ["注：本月无新增对象", None, None, None]]}))
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (0, 1)
    assert quarantine(paths, "t_people")["reason"][0].startswith("note below the data")
