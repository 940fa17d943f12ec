from __future__ import annotations

import hashlib

import polars as pl
import pytest
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.landing import load_system, read_receipts

HEADER = "编号,姓名,身份证号,电话\n"
ROWS = [
    "001,张三,310101199001010011,13800000001",
    "002,李四,31010119900101002X,",
    "003, 王五 ,310101199001010033,13800000003",
]


def test_csv_lands_every_value_as_read_with_lineage(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 3 and result.rows_quarantined == 0
    assert_balanced(result)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["record_id"].to_list() == ["001", "002", "003"]  # leading zeros kept
    assert df["person_name"].to_list() == ["张三", "李四", " 王五 "]  # whitespace kept
    assert df["phone"].to_list() == ["13800000001", "", "13800000003"]
    assert df["_row_number"].to_list() == [2, 3, 4]  # header is row 1
    assert set(df["_source"]) == {"test_dept/t_people/a.csv"}
    assert set(df["_system"]) == {"t_people"}
    receipt = result.receipts[0]
    assert set(df["_batch_id"]) == {receipt.batch_id}
    checksum = hashlib.sha256((paths.landing / "test_dept/t_people/a.csv").read_bytes()).hexdigest()
    assert set(df["_source_checksum"]) == {checksum} and receipt.checksum == checksum
    expected_hash = hashlib.sha256("\x1f".join(ROWS[0].split(",")).encode()).hexdigest()
    assert df["_row_hash"][0] == expected_hash
    assert df.schema["_loaded_at"] == pl.Datetime("us", "UTC")
    assert receipt.header == ["编号", "姓名", "身份证号", "电话"] and receipt.status == "landed"


def test_gbk_file_with_semicolons_crlf_and_quotes(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="gbk", delimiter=";")
    text = '编号;姓名;身份证号;电话\r\n1;"张;三";310101199001010011;1\r\n\r\n2;"李""四""\n续";x;2\r\n3;王五;y;3\r\n'
    land_file(paths, cfg, "a.csv", text, encoding="gbk")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 3
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["person_name"].to_list() == ["张;三", '李"四"\n续', "王五"]
    assert df["_row_number"].to_list() == [2, 4, 6]  # physical line of the record's start; blank line 3 counted
    assert df["phone"].to_list() == ["1", "2", "3"]


def test_utf8_bom_is_not_part_of_the_first_header(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="utf-8")
    land_file(paths, cfg, "a.csv", b"\xef\xbb\xbf" + (HEADER + ROWS[0] + "\n").encode())
    result = load_system(cfg, paths)
    assert result.failures == [] and bronze(paths, "t_people")["record_id"].to_list() == ["001"]


@pytest.mark.parametrize("quoted", [False, True])
def test_wrong_field_count_is_quarantined_with_the_line(paths, make_cfg, quoted: bool) -> None:
    cfg = make_cfg()
    extra = '"q",' if quoted else ""
    lines = [HEADER.strip(), ROWS[0], "004,赵六,1,2,多余", ROWS[1], "005,钱七", extra + ROWS[2].replace(",", ",", 0)]
    land_file(paths, cfg, "a.csv", "\n".join(lines) + "\n")
    result = load_system(cfg, paths)
    assert_balanced(result)
    expected_bad = {3: "004,赵六,1,2,多余", 5: "005,钱七"}
    if quoted:
        expected_bad[6] = extra + ROWS[2]
    assert result.rows_quarantined == len(expected_bad)
    assert result.rows_landed == 6 - 1 - len(expected_bad)
    q = quarantine(paths, "t_people").sort("_row_number")
    assert dict(zip(q["_row_number"].to_list(), q["raw"].to_list())) == expected_bad
    assert q.filter(pl.col("_row_number") == 3)["reason"][0] == "expected 4 fields, found 5"
    assert q.filter(pl.col("_row_number") == 5)["reason"][0] == "expected 4 fields, found 2"
    assert set(q["_batch_id"]) == {result.receipts[0].batch_id}


def test_required_field_empty_is_quarantined_naming_the_field(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "006,  ,1,2\n,钱七,1,2\n" + ROWS[0] + "\n")
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (1, 2)
    q = quarantine(paths, "t_people").sort("_row_number")
    assert q["_row_number"].to_list() == [2, 3]
    assert q["field"].to_list() == ["person_name", "record_id"]
    assert "姓名 (person_name)" in q["reason"][0] and "编号 (record_id)" in q["reason"][1]
    assert '"姓名":"  "' in q["raw"][0]


def test_exact_duplicates_land_and_are_counted(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "\n".join([ROWS[0], ROWS[1], ROWS[0], ROWS[0]]) + "\n")
    result = load_system(cfg, paths)
    assert result.rows_landed == 4 and result.rows_quarantined == 0
    assert "2 exact duplicate rows" in result.receipts[0].message
    df = bronze(paths, "t_people")
    assert df["_row_hash"].n_unique() == 2


def test_same_file_twice_lands_once(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + ROWS[0] + "\n")
    first = load_system(cfg, paths)
    assert first.rows_landed == 1
    land_file(paths, cfg, "copy_of_a.csv", HEADER + ROWS[0] + "\n")  # same bytes, other name
    second = load_system(cfg, paths)
    assert [r.status for r in second.receipts] == ["skipped_duplicate", "skipped_duplicate"]
    assert second.files_skipped == 2 and second.rows_landed == 0
    assert bronze(paths, "t_people").height == 1
    receipts = read_receipts(paths, "t_people")
    assert receipts["status"].to_list() == ["landed", "skipped_duplicate", "skipped_duplicate"]
    land_file(paths, cfg, "b.csv", HEADER + ROWS[1] + "\n")
    third = load_system(cfg, paths)
    assert [r.status for r in third.receipts].count("landed") == 1
    assert bronze(paths, "t_people").height == 2


def test_crash_between_bronze_and_receipt_does_not_duplicate(paths, make_cfg, monkeypatch) -> None:
    from connectors import landing

    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n,无编号,1,2\n")

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(landing, "_append_receipt", crash)
    with pytest.raises(RuntimeError):
        load_system(cfg, paths)
    assert bronze(paths, "t_people").height == 3  # written before the crash, no receipt
    assert quarantine(paths, "t_people").height == 1
    assert read_receipts(paths, "t_people").height == 0
    monkeypatch.undo()
    result = load_system(cfg, paths)
    assert any("recovered the receipt" in w for w in result.warnings)
    assert [r.status for r in result.receipts] == ["skipped_duplicate"]  # checked by _source_checksum
    assert bronze(paths, "t_people").height == 3 and quarantine(paths, "t_people").height == 1
    receipts = read_receipts(paths, "t_people")
    recovered = receipts.row(0, named=True)
    assert (recovered["status"], recovered["rows_landed"], recovered["rows_quarantined"], recovered["rows_read"]) == (
        "landed", 3, 1, 4)
    assert recovered["batch_id"] == bronze(paths, "t_people")["_batch_id"][0]


def test_crash_between_quarantine_and_bronze_reads_the_file_again(paths, make_cfg, monkeypatch) -> None:
    from connectors import store

    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n,无编号,1,2\n")
    real_append = store.append

    def crash_on_bronze(path, table, **kw):
        if "bronze" in str(path):
            raise RuntimeError("disk full")
        real_append(path, table, **kw)

    monkeypatch.setattr(store, "append", crash_on_bronze)
    failed = load_system(cfg, paths)  # an unexpected error: a failed receipt, the run goes on
    assert [r.status for r in failed.receipts] == ["failed"] and "disk full" in str(failed.failures[0])
    assert quarantine(paths, "t_people").height == 1
    monkeypatch.undo()
    result = load_system(cfg, paths)
    assert any("removed 1 rows of 1 incomplete load" in w for w in result.warnings)
    assert (result.rows_landed, result.rows_quarantined) == (3, 1)
    assert quarantine(paths, "t_people").height == 1 and bronze(paths, "t_people").height == 3


def test_lost_receipts_table_does_not_duplicate_or_delete_bronze(paths, make_cfg) -> None:
    import shutil

    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n")
    load_system(cfg, paths)
    shutil.rmtree(paths.receipts)
    result = load_system(cfg, paths)
    assert result.rows_landed == 0 and bronze(paths, "t_people").height == 3
    assert read_receipts(paths, "t_people")["status"].to_list() == ["landed", "skipped_duplicate"]


def test_missing_file_fails_naming_the_pattern(paths, make_cfg) -> None:
    cfg = make_cfg()
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    err = result.failures[0]
    assert err.system == "t_people" and err.source == "landing/test_dept/t_people/*.csv"
    assert "no file matches" in str(err)
    assert result.receipts[0].status == "failed"


def test_empty_file_fails_and_other_files_still_load(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a_empty.csv", b"")
    land_file(paths, cfg, "b.csv", HEADER + ROWS[0] + "\n")
    result = load_system(cfg, paths)
    assert [r.status for r in result.receipts] == ["failed", "landed"]
    assert len(result.failures) == 1 and "empty (0 bytes)" in str(result.failures[0])
    assert result.failures[0].source == "landing/test_dept/t_people/a_empty.csv"
    assert bronze(paths, "t_people").height == 1


def test_header_only_file_lands_nothing_with_a_warning(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER)
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_read == 0
    assert any("no data rows" in w for w in result.warnings)


def test_gbk_file_configured_as_utf8_fails_suggesting_gb(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="utf-8")
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n", encoding="gbk")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1 and result.receipts[0].status == "failed"
    msg = str(result.failures[0])
    assert "do not decode as utf-8" in msg and "encoding: gb18030" in msg and "t_people.yaml" in msg


def test_utf8_file_configured_as_gbk_fails_suggesting_utf8(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="gbk")
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    assert "UTF-8, not gbk" in str(result.failures[0]) and "encoding: utf-8" in str(result.failures[0])
    assert not (paths.bronze / "t_people").exists()


def test_a_few_undecodable_lines_are_quarantined(paths, make_cfg) -> None:
    cfg = make_cfg(encoding="utf-8")
    good = [f"{i:03d},姓名{i},1,2" for i in range(1, 20)]
    bad_line = "020,王五,1,2".encode("gbk")
    content = (HEADER + "\n".join(good[:9]) + "\n").encode() + bad_line + b"\n" + ("\n".join(good[9:]) + "\n").encode()
    land_file(paths, cfg, "a.csv", content)
    result = load_system(cfg, paths)
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (19, 1)
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [11] and "does not decode as utf-8" in q["reason"][0]
    assert q["raw"][0].startswith("020,\\x")  # the bytes, escaped
    assert bronze(paths, "t_people").filter(pl.col("_row_number") == 12)["record_id"][0] == "010"


def test_header_drift(paths, make_cfg) -> None:
    cfg = make_cfg()
    # renamed 身份证号 -> 公民身份号码 (lands under its header), extra column 备注, optional 电话 missing
    land_file(paths, cfg, "a.csv", "编号,姓名,公民身份号码,备注\n001,张三,310101199001010011,无\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people")
    assert df["公民身份号码"].to_list() == ["310101199001010011"] and df["备注"].to_list() == ["无"]
    assert df["id_number"].to_list() == [None] and df["phone"].to_list() == [None]
    joined = " ".join(result.warnings)
    assert "身份证号 (id_number)" in joined and "电话 (phone)" in joined and "landed as null" in joined
    assert "公民身份号码, 备注" in joined and "renamed" in joined

    # a missing required column fails the file, naming the field
    land_file(paths, cfg, "b.csv", "编号,名字,身份证号\n002,李四,1\n")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    err = result.failures[0]
    assert err.field == "姓名" and "person_name" in err.reason and "名字" in err.reason
    assert err.source == "landing/test_dept/t_people/b.csv"
    assert bronze(paths, "t_people").height == 1


def test_renamed_column_mapped_by_a_second_header(paths, make_cfg) -> None:
    cfg = make_cfg(columns={"编号": "record_id", "姓名": "person_name", "身份证号": "id_number",
                            "公民身份号码": "id_number", "电话": "phone"})
    land_file(paths, cfg, "old.csv", HEADER + ROWS[0] + "\n")
    land_file(paths, cfg, "new.csv", "编号,姓名,公民身份号码,电话\n009,赵九,310101199001010099,1\n")
    result = load_system(cfg, paths)
    assert result.failures == []
    df = bronze(paths, "t_people").sort("record_id")
    assert df["id_number"].to_list() == ["310101199001010011", "310101199001010099"]
    assert "公民身份号码" not in df.columns


def test_pending_files_by_checksum(paths, make_cfg) -> None:
    from connectors.landing import pending_files

    cfg = make_cfg()
    a = land_file(paths, cfg, "a.csv", HEADER + ROWS[0] + "\n")
    assert pending_files(cfg, paths) == [a]
    load_system(cfg, paths)
    assert pending_files(cfg, paths) == []
    b = land_file(paths, cfg, "b.csv", HEADER + ROWS[1] + "\n")
    land_file(paths, cfg, "a_again.csv", HEADER + ROWS[0] + "\n")
    assert pending_files(cfg, paths) == [b]


def test_blank_and_whitespace_lines_keep_line_numbers(paths, make_cfg) -> None:
    cfg = make_cfg()
    text = "\r\n" + HEADER.replace("\n", "\r\n") + "001,张三,1,2\r\n\r\n   \r\n002,李四,\"\",\"3\"\r\n003,王五,1,2"  # no final newline
    land_file(paths, cfg, "a.csv", text)
    result = load_system(cfg, paths)
    assert_balanced(result)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [3, 6, 7]  # header on line 2
    assert df["phone"].to_list() == ["2", "3", "2"]  # no \r kept
    assert df["id_number"].to_list() == ["1", "", "1"]
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [5] and q["raw"].to_list() == ["   "]


def test_wrong_delimiter_is_a_structural_error(paths, make_cfg) -> None:
    cfg = make_cfg(delimiter=";")
    land_file(paths, cfg, "a.csv", HEADER + ROWS[0] + "\n")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1
    err = result.failures[0]
    assert "required column missing" in err.reason and "编号,姓名,身份证号,电话" in err.reason


def test_unbalanced_quote_does_not_swallow_the_following_lines(paths, make_cfg) -> None:
    cfg = make_cfg()
    body = [ROWS[0], '004,"赵六,1,2', "005,钱七,1,2", '006,孙八,"多\n行",2'] + [f"{i:03d},某人,1,2" for i in range(7, 50)]
    land_file(paths, cfg, "a.csv", HEADER + "\n".join(body) + "\n")
    result = load_system(cfg, paths)
    assert_balanced(result)
    q = quarantine(paths, "t_people")
    assert q["_row_number"].to_list() == [3] and q["raw"].to_list() == ['004,"赵六,1,2']
    assert "unbalanced quote" in q["reason"][0]
    df = bronze(paths, "t_people").sort("_row_number")
    assert df.height == 1 + 1 + 1 + 43
    assert df.filter(pl.col("record_id") == "005")["_row_number"].to_list() == [4]
    assert df.filter(pl.col("record_id") == "006")["id_number"].to_list() == ["多\n行"]
    assert df.filter(pl.col("record_id") == "007")["_row_number"].to_list() == [7]


def test_progress_bar_does_not_change_the_result(paths, make_cfg, capsys) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + ROWS[0] + "\n")
    land_file(paths, cfg, "b.csv", HEADER + ROWS[1] + "\n")
    result = load_system(cfg, paths, progress=True)
    assert result.rows_landed == 2 and result.seconds > 0
    assert "t_people" in capsys.readouterr().err  # tqdm writes to stderr


def test_schema_evolution_across_files(paths, make_cfg) -> None:
    cfg = make_cfg()
    land_file(paths, cfg, "a.csv", HEADER + ROWS[0] + "\n")
    load_system(cfg, paths)
    land_file(paths, cfg, "b.csv", "编号,姓名,身份证号,电话,备注\n009,赵九,1,2,新列\n")
    result = load_system(cfg, paths)
    assert result.failures == [] and result.rows_landed == 1
    df = bronze(paths, "t_people").sort("record_id")
    assert df["备注"].to_list() == [None, "新列"] and df["record_id"].to_list() == ["001", "009"]
    land_file(paths, cfg, "c.csv", HEADER + ROWS[1] + "\n")  # the next file without it
    assert load_system(cfg, paths).failures == []
    assert bronze(paths, "t_people").height == 3
