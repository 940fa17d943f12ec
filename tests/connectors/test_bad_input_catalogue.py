"""Bad inputs of the catalogue in docs/reliability.md (issue 13 item 6) that no other test tried.

Each test lands one kind of bad input and asserts what the user sees (receipt status and message, quarantine reason,
warning, CLI output) and that no row is lost: rows_read = rows_landed + rows_quarantined + rows_redelivered in every
receipt. Kinds the code handles badly are `xfail(strict=True)`: they are the catalogue's open defects, and a fix
turns them into failures until the marker is removed and the catalogue row updated.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
import yaml
from click.testing import CliRunner
from conftest import MYSQL_DSN, PG_DSN
from conn_helpers import bronze, land_file, quarantine

from connectors.landing import load_system
from connectors.preview import check_source
from shequyun.cli import main

HEADER = "编号,姓名,身份证号,电话\n"


def assert_no_row_lost(result) -> None:
    """rows_read = rows_landed + rows_quarantined + rows_redelivered, per receipt and in total."""
    for r in result.receipts:
        assert r.rows_read == r.rows_landed + r.rows_quarantined + r.rows_redelivered, r
    assert result.rows_read == result.rows_landed + result.rows_quarantined + result.rows_redelivered


def _xlsx_cfg(make_cfg, **kw):
    return make_cfg(format="xlsx", path="test_dept/t_people/*.xlsx", encoding=None, delimiter=None, **kw)


def _jsonl_cfg(make_cfg, **kw):
    return make_cfg(format="jsonl", path="test_dept/t_people/*.jsonl", delimiter=None,
                    columns={"id": "record_id", "name": "person_name"}, **kw)


def _parquet_cfg(make_cfg, **kw):
    return make_cfg(format="parquet", path="test_dept/t_people/*.parquet", encoding=None, delimiter=None,
                    columns={"id": "record_id", "name": "person_name", "born": "birth_date"}, **kw)


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


# -- CSV -----------------------------------------------------------------------------------------------------------


def test_utf16_file_declared_utf8_fails_naming_the_encoding(paths, make_cfg) -> None:
    """Excel's "Unicode text" export is UTF-16 with a BOM."""
    cfg = make_cfg(encoding="utf-8")
    land_file(paths, cfg, "a.csv", (HEADER + "001,张三,1,2\n").encode("utf-16"))
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed"] and result.rows_read == 0
    msg = str(result.failures[0])
    assert msg.startswith("t_people: landing/test_dept/t_people/a.csv row 1: ")
    assert "do not decode as utf-8" in msg and "set `encoding: utf-16` in t_people.yaml" in msg
    assert not (paths.bronze / "t_people").exists()


def test_a_header_named_twice_lands_the_second_column_under_a_numbered_name(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", "编号,姓名,姓名,电话\n001,张三,李四,2\n")
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (1, 0)
    df = bronze(paths, "t_people")
    assert (df["person_name"][0], df["姓名__2"][0]) == ("张三", "李四")   # the second value is kept, not dropped
    assert any("header '姓名' appears more than once; column 3 landed as 姓名__2" in w for w in result.warnings)


def test_headers_with_spaces_around_them_still_map(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", "编号, 姓名 ,身份证号 ,电话\n001,张三,1,2\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people")
    assert (df["person_name"][0], df["id_number"][0]) == ("张三", "1")
    assert not any("extra column" in w for w in result.warnings)


def test_a_header_named_like_a_lineage_column_lands_renamed(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", "编号,姓名,_row_number,_system\n001,张三,x,y\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people")
    assert (df["_row_number"][0], df["_system"][0]) == (2, "t_people")     # lineage is not overwritten
    assert (df["_row_number__source"][0], df["_system__source"][0]) == ("x", "y")
    assert any("extra column '_row_number' landed as '_row_number__source' (name taken)" in w for w in result.warnings)


def test_two_headers_mapped_to_one_field_in_the_same_file_keep_both_values(paths, make_cfg) -> None:
    cfg = make_cfg(columns={"编号": "record_id", "姓名": "person_name", "身份证号": "id_number",
                            "公民身份号码": "id_number", "电话": "phone"})
    land_file(paths, cfg, "a.csv", "编号,姓名,身份证号,公民身份号码\n001,张三,1,2\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people")
    assert (df["id_number"][0], df["公民身份号码"][0]) == ("1", "2")
    assert any("column '公民身份号码' maps to 'id_number', already taken by '身份证号'; landed under its header" in w
               for w in result.warnings)


def test_value_dirt_lands_as_delivered_for_staging_to_judge(paths, make_cfg) -> None:
    """The door checks structure, not meaning: an ID that Excel turned into 3.1E+17, a masked ID, a 15-digit ID, a
    wrong check digit, full-width digits, traditional characters, an impossible date, a date in Chinese and an
    Excel serial date all land byte for byte; staging says what each is (id_form, id_valid, parse_date -> null)."""
    cfg = make_cfg(columns={"编号": "record_id", "姓名": "person_name", "身份证号": "id_number", "出生日期": "birth_date"})
    rows = [
        ("1", "丙", "3.10104E+17", "1945-03-12"),
        ("2", "己", "310***********1234", "1945-03-12"),
        ("3", "乙", "310108840330008", "1984/3/30"),
        ("4", "庚", "110105194912310020", "1949-02-30"),            # wrong check digit, impossible date
        ("5", "买买提", "３１０１０３１９６２０５０１１２３５", "1962年5月1日"),   # full-width digits, date in Chinese
        ("6", "陳偉強", "11010519491231002x", "32874"),              # traditional characters, Excel serial date
    ]
    land_file(paths, cfg, "a.csv", "编号,姓名,身份证号,出生日期\n" + "".join(",".join(r) + "\n" for r in rows))
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (6, 0)
    df = bronze(paths, "t_people").sort("_row_number")
    assert list(zip(df["record_id"], df["person_name"], df["id_number"], df["birth_date"])) == rows


def test_a_value_just_over_its_kind_limit_is_quarantined_and_one_at_the_limit_lands(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + f"1,{'张' * 100},1,2\n2,{'李' * 101},1,2\n3,王五,{'9' * 41},2\n")
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (1, 2)
    q = quarantine(paths, "t_people").sort("_row_number")
    assert q["reason"].to_list() == [
        "姓名 (person_name) is 101 characters long, over the limit of 100 for a person_name field",
        "身份证号 (id_number) is 41 characters long, over the limit of 40 for a id_number field",
    ]
    assert q["field"].to_list() == ["person_name", "id_number"]


def test_sources_check_shows_the_rows_the_door_would_quarantine(tmp_path: Path, make_cfg) -> None:
    cfg = make_cfg()
    sample = tmp_path / "sample.csv"
    sample.write_text(HEADER + "1,张\x00三,1,2\n2,李四,1\n3,,1,2\n4,王五,1,2\n", encoding="utf-8")
    report = check_source(cfg, sample=sample)
    assert report.rows_read == 4
    assert [(row, reason) for row, reason, _ in report.quarantined] == [
        (2, "姓名 (person_name) holds a NUL byte"),
        (3, "expected 4 fields, found 3"),
        (4, "required field 姓名 (person_name) empty"),
    ]


# -- xlsx ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [HEADER + "001,张三,1,2\n", "<html><table><tr><td>编号</td></tr></table></html>"],
                         ids=["csv_renamed", "html_saved_as_xls"])
def test_a_file_that_is_not_a_zip_but_named_xlsx_fails(paths, make_cfg, content: str) -> None:
    cfg = _xlsx_cfg(make_cfg)
    land_file(paths, cfg, "a.xlsx", content)
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed"] and result.rows_read == 0
    assert str(result.failures[0]) == ("t_people: landing/test_dept/t_people/a.xlsx: not an xlsx workbook "
                                       "(no zip signature): wrong format or corrupt file")


def test_a_zip_that_is_not_a_workbook_fails_as_corrupt(paths, make_cfg) -> None:
    cfg = _xlsx_cfg(make_cfg)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    land_file(paths, cfg, "a.xlsx", buf.getvalue())
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed"]
    assert str(result.failures[0]).startswith(
        "t_people: landing/test_dept/t_people/a.xlsx: cannot open the workbook (truncated or corrupt?)")


def test_an_id_number_typed_as_a_number_in_excel_lands_as_the_sheet_holds_it(paths, make_cfg) -> None:
    """An 18-digit ID typed into a number cell keeps 15 significant digits: it lands as the sheet holds it (digits
    lost, ending 000) and staging calls it excel_truncated; a text cell lands intact."""
    cfg = _xlsx_cfg(make_cfg, sheet="名册")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("名册")
    ws.write_row(0, 0, ["编号", "姓名", "身份证号", "电话"])
    ws.write_row(1, 0, ["001", "张三"])
    ws.write_number(1, 2, 310104194503120011)
    ws.write_row(2, 0, ["002", "李四", "310104194503120011"])
    wb.close()
    land_file(paths, cfg, "a.xlsx", buf.getvalue())
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 0)
    ids = bronze(paths, "t_people").sort("_row_number")["id_number"].to_list()
    assert ids == ["310104194503120000", "310104194503120011"]


# -- JSON lines ----------------------------------------------------------------------------------------------------


def test_a_json_line_cut_in_half_is_quarantined_with_the_line(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", '{"id": "1", "name": "张三"}\n{"id": "2", "name": "李四"}\n{"id": "3", "na')
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    q = quarantine(paths, "t_people")
    assert (q["_row_number"][0], q["reason"][0], q["raw"][0]) == (3, "line is not valid JSON", '{"id": "3", "na')
    assert "quarantined 1 (1× line is not valid JSON)" in result.receipts[0].message


def test_json_values_of_another_type_land_as_their_json_text(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", '{"id": 1, "name": "张三"}\n{"id": "A2", "name": "李四"}\n'
                                     '{"id": 3.5, "name": ["王", "五"]}\n{"id": null, "name": "赵六"}\n')
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (3, 1)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["record_id"].to_list() == ["1", "A2", "3.5"] and df["person_name"][2] == '["王","五"]'
    q = quarantine(paths, "t_people")
    assert (q["_row_number"][0], q["reason"][0]) == (4, "required field id (record_id) empty")


def test_a_json_lines_file_with_a_bom_lands(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", b"\xef\xbb\xbf" + '{"id": "1", "name": "张三"}\n'.encode())
    result = load_system(cfg, paths)
    assert result.failures == [] and bronze(paths, "t_people")["person_name"].to_list() == ["张三"]


def test_an_escaped_nul_in_json_is_quarantined(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", '{"id": "1", "name": "张\\u0000三"}\n{"id": "2", "name": "李四"}\n')
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (1, 1)
    q = quarantine(paths, "t_people")
    assert (q["_row_number"][0], q["reason"][0], q["field"][0]) == (1, "name (person_name) holds a NUL byte", "person_name")


def test_a_json_lines_file_of_blank_lines_only_fails_naming_the_required_field(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", "\n\n  \n")
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed"] and result.rows_read == 0
    err = result.failures[0]
    assert err.field == "id" and "required column missing (canonical name record_id)" in err.reason


def test_a_json_key_given_twice_is_not_dropped_silently(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", '{"id": "1", "name": "张三", "name": "李四"}\n{"id": "2", "name": "王五"}\n')
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (1, 1)
    reasons = quarantine(paths, "t_people")
    assert reasons["reason"][0] == ("JSON key 'name' given more than once in the object: which value is meant is "
                                    "unknown")
    assert reasons["field"][0] == "name" and "李四" in reasons["raw"][0]


# -- Parquet -------------------------------------------------------------------------------------------------------


def test_a_parquet_column_of_another_type_in_a_later_file_lands_as_text(paths, make_cfg) -> None:
    import datetime as dt

    cfg = _parquet_cfg(make_cfg)
    land_file(paths, cfg, "a.parquet", _parquet(pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["张三", "李四"],
                                                          "born": [dt.date(1990, 1, 1), None]})))
    land_file(paths, cfg, "b.parquet", _parquet(pa.table({"id": ["A3", "A4"], "name": ["王五", "赵六"],
                                                          "born": pa.array([19900101, 2], pa.int32())})))
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (4, 0)
    df = bronze(paths, "t_people").sort("_source", "_row_number")
    assert df["record_id"].to_list() == ["1", "2", "A3", "A4"]
    assert df["birth_date"].to_list() == ["1990-01-01", None, "19900101", "2"]


def test_a_parquet_file_without_a_required_column_fails_naming_it(paths, make_cfg) -> None:
    cfg = _parquet_cfg(make_cfg)
    land_file(paths, cfg, "a.parquet", _parquet(pa.table({"id": ["1"], "nm": ["张三"]})))
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed"]
    err = result.failures[0]
    assert err.field == "name" and "columns found: id, nm (columns not in t_people.yaml: nm;" in err.reason


def test_a_parquet_binary_column_of_utf8_text_lands_as_text(paths, make_cfg) -> None:
    cfg = _parquet_cfg(make_cfg)
    land_file(paths, cfg, "a.parquet", _parquet(pa.table({"id": ["1"], "name": pa.array(["张三".encode()], pa.binary())})))
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert bronze(paths, "t_people")["person_name"].to_list() == ["张三"]
    # real bytes (not UTF-8) in another file's binary column: hex, as before
    land_file(paths, cfg, "b.parquet", _parquet(pa.table({"id": ["2"], "name": pa.array([b"\xff\xfe"], pa.binary())})))
    load_system(cfg, paths)
    assert sorted(bronze(paths, "t_people")["person_name"].to_list()) == ["fffe", "张三"]


# -- databases -----------------------------------------------------------------------------------------------------

DB_COLUMNS = {"id": "record_id", "xm": "person_name", "gxsj": "updated_at"}


def _db_cfg(make_cfg, fmt: str, dsn: str, table: str):
    return make_cfg(format=fmt, path=None, encoding=None, delimiter=None, dsn_default=dsn, table=table,
                    cursor="gxsj", columns=DB_COLUMNS)


def test_a_mysql_table_without_the_cursor_column_fails_naming_it(paths, make_cfg, mysql_conn, mysql_table) -> None:
    with mysql_conn.cursor() as cur:
        cur.execute(f"CREATE TABLE `{mysql_table}` (id INT, xm VARCHAR(20)) DEFAULT CHARSET=utf8mb4")
    result = load_system(_db_cfg(make_cfg, "mysql", MYSQL_DSN, mysql_table), paths)
    assert [r.status for r in result.receipts] == ["failed"]
    assert result.failures[0].field == "gxsj" and result.failures[0].source == mysql_table


def test_a_nul_byte_in_a_mysql_value_is_quarantined(paths, make_cfg, mysql_conn, mysql_table) -> None:
    with mysql_conn.cursor() as cur:
        cur.execute(f"CREATE TABLE `{mysql_table}` (id INT, xm VARCHAR(20), gxsj DATETIME) DEFAULT CHARSET=utf8mb4")
        cur.execute(f"INSERT INTO `{mysql_table}` VALUES (1, CONCAT('张', CHAR(0), '三'), '2024-01-01'), "
                    "(2, '李四', '2024-01-02')")
    result = load_system(_db_cfg(make_cfg, "mysql", MYSQL_DSN, mysql_table), paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (1, 1)
    q = quarantine(paths, "t_people")
    assert (q["_row_number"][0], q["reason"][0]) == (1, "xm (person_name) holds a NUL byte")


def test_a_row_behind_the_cursor_is_not_lost_silently(paths, make_cfg, pg_table) -> None:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{pg_table}" (id int, xm text, gxsj timestamp)')
        conn.execute(f"""INSERT INTO "{pg_table}" VALUES (1, '张三', '2024-01-02 10:00')""")
        cfg = _db_cfg(make_cfg, "postgres", PG_DSN, pg_table)
        assert load_system(cfg, paths).rows_landed == 1
        conn.execute(f"""INSERT INTO "{pg_table}" VALUES (2, '李四', '2024-01-01 09:00')""")   # late, an older cursor
    again = load_system(cfg, paths)
    assert_no_row_lost(again)
    said = " ".join(again.warnings) + " ".join(r.message for r in again.receipts)
    assert again.rows_landed == 1 or ("1 row" in said and "cursor" in said)
    assert "at least 1 row(s) with gxsj <= " in said and "never read" in said


# -- keys, headers and line endings the door lets through ----------------------------------------------------------


def test_a_primary_key_repeated_within_a_batch_is_flagged(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "001,张三,1,2\n001,李四,3,4\n")
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    said = " ".join(result.warnings) + result.receipts[0].message
    assert result.rows_landed == 2 and "1 primary key value(s) (record_id) repeated with different content" in said
    assert "001 (rows 2, 3)" in said


def test_a_header_line_repeated_inside_the_data_is_not_a_record(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "001,张三,1,2\n" + HEADER + "002,李四,3,4\n")
    result = load_system(cfg, paths)
    assert_no_row_lost(result)
    assert (result.rows_landed, result.rows_quarantined) == (2, 1)
    assert "header" in quarantine(paths, "t_people")["reason"][0]


def test_a_csv_with_cr_only_line_endings_is_read(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER.replace("\n", "\r") + "001,张三,1,2\r002,李四,3,4\r")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 2
    assert any("CR only" in w for w in result.warnings)
    assert bronze(paths, "t_people").sort("_row_number")["_row_number"].to_list() == [2, 3]


def test_sources_check_on_cr_only_line_endings_gives_a_message(tmp_path: Path, make_cfg) -> None:
    cfg = make_cfg()
    sample = tmp_path / "mac.csv"
    sample.write_bytes(HEADER.replace("\n", "\r").encode() + "001,张三,1,2\r".encode())
    result = CliRunner().invoke(main, ["sources", "check", str(cfg.config_file), "--file", str(sample),
                                       "--data-dir", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)   # a message, not a traceback
    assert "mac.csv" in result.output


# -- YAML ----------------------------------------------------------------------------------------------------------


def _sources_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "t_people.yaml").write_text(text, encoding="utf-8")
    return folder


GOOD_YAML = {"system": "t_people", "title": "t", "department": "test_dept", "department_title": "d", "format": "csv",
             "path": "test_dept/t_people/*.csv", "columns": {"编号": "record_id", "姓名": "person_name"},
             "required": ["record_id"]}


@pytest.mark.parametrize("text", [yaml.safe_dump({**GOOD_YAML, "colums": {"a": "b"}}, allow_unicode=True),
                                  "system: t_people\n  title: [broken\n"], ids=["unknown_key", "not_yaml"])
def test_ingest_with_a_bad_yaml_gives_a_message_not_a_traceback(tmp_path: Path, monkeypatch, text: str) -> None:
    monkeypatch.setenv("SHEQUYUN_SOURCES_DIR", str(_sources_dir(tmp_path, text)))
    (tmp_path / "data").mkdir()
    result = CliRunner().invoke(main, ["ingest", "--no-progress", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "t_people.yaml" in result.output


@pytest.mark.parametrize("text", [yaml.safe_dump({**GOOD_YAML, "colums": {"a": "b"}}, allow_unicode=True),
                                  "system: t_people\n  title: [broken\n"], ids=["unknown_key", "not_yaml"])
def test_sources_lists_a_bad_yaml_as_a_message(tmp_path: Path, monkeypatch, text: str) -> None:
    monkeypatch.setenv("SHEQUYUN_SOURCES_DIR", str(_sources_dir(tmp_path, text)))
    result = CliRunner().invoke(main, ["sources"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Error: " in result.output and "t_people.yaml" in result.output
    assert ("key 'colums': unknown key" in result.output) or ("not valid YAML" in result.output)


def test_sources_check_with_no_file_under_the_pattern_says_so(tmp_path: Path) -> None:
    config = tmp_path / "t_people.yaml"
    config.write_text(yaml.safe_dump(GOOD_YAML, allow_unicode=True), encoding="utf-8")
    (tmp_path / "data" / "landing").mkdir(parents=True)
    result = CliRunner().invoke(main, ["sources", "check", str(config), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "no file matches 'test_dept/t_people/*.csv' under" in result.output and "give one with --file" in result.output


def test_sources_check_on_a_sample_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "t_people.yaml"
    config.write_text(yaml.safe_dump(GOOD_YAML, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "check", str(config), "--file", str(tmp_path / "nope.csv"),
                                       "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "does not exist" in result.output and "nope.csv" in result.output


def test_receipts_balance_over_a_mixed_delivery(paths, make_cfg) -> None:
    """One delivery with a good file, a bad line, a resent file and an empty file: every row is accounted for."""
    cfg = make_cfg()
    first = HEADER + "001,张三,1,2\n002,李四\n"
    land_file(paths, cfg, "a.csv", first)
    land_file(paths, cfg, "b_empty.csv", b"")
    one = load_system(cfg, paths)
    land_file(paths, cfg, "c_resent.csv", first + "\n")
    land_file(paths, cfg, "d_copy.csv", first)
    two = load_system(cfg, paths)
    for result in (one, two):
        assert_no_row_lost(result)
    assert [(r.source.rsplit("/", 1)[1], r.status) for r in two.receipts] == [
        ("a.csv", "skipped_duplicate"), ("b_empty.csv", "failed"), ("c_resent.csv", "landed"),
        ("d_copy.csv", "skipped_duplicate")]
    resent = two.receipts[2]
    assert (resent.rows_read, resent.rows_landed, resent.rows_quarantined, resent.rows_redelivered) == (2, 0, 1, 1)
    assert json.dumps(bronze(paths, "t_people")["record_id"].to_list()) == '["001"]'
