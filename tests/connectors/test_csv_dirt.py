"""File-level dirt of real CSV extracts (issue 9 item 3): GB18030 characters beyond GBK. Quoted multi-line
cells and the UTF-8 BOM are covered in test_csv.py (test_gbk_file_with_semicolons_crlf_and_quotes,
test_unbalanced_quote_does_not_swallow_the_following_lines, test_utf8_bom_is_not_part_of_the_first_header)."""

from __future__ import annotations

import pytest
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.landing import load_system

HEADER = ["编号", "姓名", "身份证号", "电话"]
RARE = ["𠮷", "䶮"]  # U+20BB7 (4 bytes in GB18030), U+4DAE (FE9F): neither is in GBK


def _csv(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


def test_gb18030_characters_beyond_gbk_land_when_declared_gb18030(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="gb18030")
    rows = [HEADER, ["001", "王" + RARE[0], "1", "2"], ["002", "李" + RARE[1], "1", "2"], ["003", "张三", "1", "2"]]
    data = _csv(rows).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # the fixture really holds bytes GBK does not have
    land_file(paths, cfg, "a.csv", data)
    result = load_system(cfg, paths)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (3, 0)
    assert bronze(paths, "t_people").sort("_row_number")["person_name"].to_list() == ["王𠮷", "李䶮", "张三"]
    assert not any("gb18030" in w for w in result.warnings)


@pytest.mark.parametrize("rare_rows", [1, 3])  # one line of three (was quarantined), every line (was a failure)
def test_gbk_file_with_gb18030_only_bytes_decodes_as_gb18030_with_a_warning(paths, make_cfg, rare_rows: int) -> None:
    cfg = make_cfg(encoding="gbk")
    names = ["王" + RARE[0], "李" + RARE[1], "赵" + RARE[0]][:rare_rows] + ["张三", "李四"][: 3 - rare_rows]
    rows = [HEADER] + [[f"00{i}", name, "1", "2"] for i, name in enumerate(names, start=1)]
    land_file(paths, cfg, "a.csv", _csv(rows).encode("gb18030"))
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (3, 0)
    assert bronze(paths, "t_people").sort("_row_number")["person_name"].to_list() == names
    warning = next(w for w in result.warnings if "gb18030" in w)
    assert "a.csv" in warning and "line 2" in warning and "encoding: gb18030" in warning


def test_jsonl_declared_gbk_with_gb18030_only_characters(paths, make_cfg) -> None:
    cfg = make_cfg(format="jsonl", path="test_dept/t_people/*.jsonl", encoding="gbk", delimiter=None,
                   columns={"id": "record_id", "name": "person_name"})
    land_file(paths, cfg, "a.jsonl", '{"id": "1", "name": "张三"}\n{"id": "2", "name": "李䶮"}\n'.encode("gb18030"))
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2 and result.rows_quarantined == 0
    assert bronze(paths, "t_people").sort("_row_number")["person_name"].to_list() == ["张三", "李䶮"]
    assert any("line 2: '䶮' U+4DAE" in w for w in result.warnings)


def test_gbk_file_with_bytes_not_even_gb18030_still_quarantines_those_lines(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="gbk")
    good = [[f"{i:03d}", "张三", "1", "2"] for i in range(1, 10)]
    content = _csv([HEADER] + good[:4]).encode("gbk") + b"005,\xff\xfe,1,2\n" + _csv(good[5:]).encode("gb18030")
    content += _csv([["010", "王" + RARE[0], "1", "2"]]).encode("gb18030")
    land_file(paths, cfg, "a.csv", content)
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (9, 1)
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [6] and "does not decode as gbk" in q["reason"][0]
    assert "王𠮷" in bronze(paths, "t_people")["person_name"].to_list()
