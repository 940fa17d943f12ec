"""File-level dirt of real CSV extracts (issue 9 item 3): GB18030 characters beyond GBK, delimiters
detected with `delimiter: auto`, tab delimiters, trailing delimiters. Quoted multi-line cells and the UTF-8
BOM are covered in test_csv.py (test_gbk_file_with_semicolons_crlf_and_quotes,
test_unbalanced_quote_does_not_swallow_the_following_lines, test_utf8_bom_is_not_part_of_the_first_header)."""

from __future__ import annotations

import pytest
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.errors import ConfigError
from connectors.landing import load_system

HEADER = ["编号", "姓名", "身份证号", "电话"]
RARE = ["𠮷", "䶮"]  # U+20BB7 (4 bytes in GB18030), U+4DAE (FE9F): neither is in GBK


def _csv(rows: list[list[str]], delimiter: str = ",", end: str = "", newline: str = "\n") -> str:
    return "".join(delimiter.join(row) + end + newline for row in rows)


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


def test_tab_delimiter_configured(paths, make_cfg) -> None:
    cfg = make_cfg(delimiter="\t")
    land_file(paths, cfg, "a.tsv.csv", _csv([HEADER, ["001", "张,三", "1", "2"], ["002", "李四", "", "3"]], "\t"))
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["person_name"].to_list() == ["张,三", "李四"] and df["phone"].to_list() == ["2", "3"]


@pytest.mark.parametrize("delimiter", [";", "\t", ",", "|"])
def test_delimiter_auto_is_detected_from_the_configured_headers(paths, make_cfg, delimiter: str) -> None:
    cfg = make_cfg(delimiter="auto")
    other = ";" if delimiter != ";" else ","
    rows = [HEADER, ["001", f'"张{other}三"', "1", "2"], ["002", "李四", "310101199001010011", "13800000001"]]
    land_file(paths, cfg, "a.csv", b"\xef\xbb\xbf" + _csv(rows, delimiter, newline="\r\n").encode())  # with a BOM
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["person_name"].to_list() == [f"张{other}三", "李四"] and df["phone"].to_list() == ["2", "13800000001"]
    assert result.receipts[0].header == HEADER
    assert any(f"delimiter {delimiter!r} detected" in w for w in result.warnings)


@pytest.mark.parametrize("second", ["2,0;李四;有", "20;李四;有"], ids=["comma_in_every_row", "comma_in_one_row"])
def test_delimiter_auto_without_any_configured_header_uses_the_most_regular_split(paths, make_cfg, second) -> None:
    cfg = make_cfg(delimiter="auto", required=[])
    # "," splits the header (and the first row) in two as well; ";" splits every line into three fields
    land_file(paths, cfg, "a.csv", f"金额(元,含税);户主;备注\n1,5;张三;无\n{second}\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    assert bronze(paths, "t_people").sort("_row_number")["户主"].to_list() == ["张三", "李四"]


def test_delimiter_auto_that_cannot_be_detected_fails_naming_the_key(paths, make_cfg) -> None:
    cfg = make_cfg(delimiter="auto", required=[])
    land_file(paths, cfg, "a.csv", "甲乙丙\n一二三\n")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    assert "cannot detect the delimiter" in str(result.failures[0]) and "t_people.yaml" in str(result.failures[0])


@pytest.mark.parametrize("value", ["auto", ";", "\t"])
def test_delimiter_config_accepts_auto_and_one_character(make_cfg, value: str) -> None:
    assert make_cfg(delimiter=value).delimiter == value


def test_delimiter_config_rejects_other_words(make_cfg) -> None:
    with pytest.raises(ConfigError, match="delimiter"):
        make_cfg(delimiter="semicolon")


@pytest.mark.parametrize(
    ("header_end", "row_end"),
    [(",", ","), ("", ","), (",", "")],  # every line / only the rows / only the header
)
def test_trailing_delimiters_make_no_phantom_column(paths, make_cfg, header_end: str, row_end: str) -> None:
    cfg = make_cfg()
    rows = [["001", "张三", "1", "2"], ["002", "李四", "", ""], ["003", "王五", "3", "4"]]
    land_file(paths, cfg, "a.csv", _csv([HEADER], end=header_end) + _csv(rows, end=row_end))
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (3, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert [c for c in df.columns if not c.startswith("_")] == ["record_id", "person_name", "id_number", "phone"]
    assert df["phone"].to_list() == ["2", "", "4"] and df["id_number"].to_list() == ["1", "", "3"]
    assert result.receipts[0].header == HEADER
    assert any("trailing delimiter" in w for w in result.warnings)


def test_a_few_lines_with_a_trailing_delimiter_keep_their_order(paths, make_cfg) -> None:
    cfg = make_cfg()
    rows = [[f"{i:03d}", "某人", str(i), ""] for i in range(1, 21)]
    text = _csv([HEADER]) + "".join(",".join(r) + ("," if i in (3, 11) else "") + "\n" for i, r in enumerate(rows, 1))
    land_file(paths, cfg, "a.csv", text)
    result = load_system(cfg, paths)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (20, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == list(range(2, 22)) and df["id_number"].to_list() == [str(i) for i in range(1, 21)]
    assert df["_row_hash"].n_unique() == 20
    assert any("2 line(s) end with a trailing delimiter" in w for w in result.warnings)


def test_trailing_delimiters_with_quoted_multiline_cells(paths, make_cfg) -> None:
    cfg = make_cfg(delimiter=";")
    text = '编号;姓名;身份证号;电话;\r\n001;"张\r\n三";1;2;\r\n002;李四;;;\r\n003;王五;3;4;x;\r\n'
    land_file(paths, cfg, "a.csv", text)
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["person_name"].to_list() == ["张\r\n三", "李四"] and df["_row_number"].to_list() == [2, 4]
    assert df["phone"].to_list() == ["2", ""]
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [5] and q["reason"][0] == "expected 4 fields, found 6"


def test_a_value_after_the_last_column_is_quarantined_not_dropped(paths, make_cfg) -> None:
    cfg = make_cfg()
    rows = [["001", "张三", "1", "2", ""], ["002", "李四", "1", "2", "多余"], ["003", "王五", "1", "2", ""]]
    land_file(paths, cfg, "a.csv", _csv([HEADER]) + _csv(rows))  # the rows end with a delimiter, the header not
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [3] and q["raw"].to_list() == ["002,李四,1,2,多余"]
    assert q["reason"].to_list() == ["expected 4 fields, found 5"]
    assert "column_5" not in bronze(paths, "t_people").columns


def test_a_headerless_last_column_holding_data_still_lands(paths, make_cfg) -> None:
    """An empty last header over values is a column without a header (as before), not a trailing delimiter."""
    cfg = make_cfg()
    rows = [["001", "张三", "1", "2", "备注一"], ["002", "李四", "1", "2", ""]]
    land_file(paths, cfg, "a.csv", _csv([HEADER], end=",") + _csv(rows))
    result = load_system(cfg, paths)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    assert bronze(paths, "t_people").sort("_row_number")["column_5"].to_list() == ["备注一", ""]

