from __future__ import annotations

import datetime as dt
import decimal
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
from conn_helpers import assert_balanced, bronze, land_file, quarantine

from connectors.landing import load_system

JSON_COLUMNS = {"id": "record_id", "name": "person_name", "idCard": "id_number", "phone": "phone"}


def _jsonl_cfg(make_cfg, **kw):
    return make_cfg(format="jsonl", path="test_dept/t_people/*.jsonl", delimiter=None, columns=JSON_COLUMNS, **kw)


def test_jsonl_values_as_strings_and_bad_lines_quarantined(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    lines = [
        json.dumps({"id": "A1", "name": "张三", "idCard": "310101199001010011", "phone": 13800000001, "tags": ["低保", "独居"]}, ensure_ascii=False),
        json.dumps({"id": "A2", "name": "李四", "idCard": None, "ok": True}, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        "",
        json.dumps({"id": "A3", "idCard": "x"}),  # required name missing
        json.dumps({"id": "A4", "name": "王五", "extra": {"k": 1}}, ensure_ascii=False),
    ]
    land_file(paths, cfg, "a.jsonl", "\n".join(lines) + "\n")
    result = load_system(cfg, paths)
    assert result.failures == []
    assert_balanced(result)
    assert (result.rows_landed, result.rows_quarantined) == (3, 3)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [1, 2, 7]
    assert df["record_id"].to_list() == ["A1", "A2", "A4"]
    assert df["phone"].to_list() == ["13800000001", None, None]
    assert df["id_number"].to_list() == ["310101199001010011", None, None]
    assert json.loads(df["tags"][0]) == ["低保", "独居"]
    assert df["ok"].to_list() == [None, "true", None]
    assert json.loads(df["extra"][2]) == {"k": 1}
    q = quarantine(paths, "t_people").sort("_row_number")
    assert q["_row_number"].to_list() == [3, 4, 6]
    assert q["reason"].to_list()[:2] == ["line is not valid JSON", "JSON value is array, not an object"]
    assert q["raw"][0] == "{not json" and q["field"][2] == "person_name"


def test_jsonl_wrong_encoding_is_structural(paths, make_cfg) -> None:
    cfg = _jsonl_cfg(make_cfg)
    land_file(paths, cfg, "a.jsonl", '{"id": "A1", "name": "张三"}\n{"id": "A2", "name": "李四"}\n', encoding="gbk")
    result = load_system(cfg, paths)
    assert len(result.failures) == 1 and "gb18030" in str(result.failures[0])


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def test_parquet_typed_values_rendered_and_row_index(paths, make_cfg) -> None:
    cfg = make_cfg(format="parquet", path="test_dept/t_people/*.parquet", encoding=None, delimiter=None,
                   columns={"id": "record_id", "name": "person_name", "born": "birth_date", "at": "updated_at",
                            "amount": "amount", "n": "n"})
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["张三", None, "王五"],
        "born": [dt.date(1990, 1, 2), None, dt.date(2001, 12, 31)],
        "at": [dt.datetime(2024, 1, 1, 10, 0), dt.datetime(2024, 1, 1, 10, 0, 0, 500000), None],
        "amount": pa.array([decimal.Decimal("1500.00"), None, decimal.Decimal("0.50")], pa.decimal128(10, 2)),
        "n": [1.5, 2.0, None],
        "flag": [True, False, None],
    })
    land_file(paths, cfg, "a.parquet", _parquet(table))
    result = load_system(cfg, paths)
    assert result.failures == [] and (result.rows_landed, result.rows_quarantined) == (2, 1)
    assert_balanced(result)
    df = bronze(paths, "t_people").sort("_row_number")
    assert df["_row_number"].to_list() == [1, 3]
    assert df["record_id"].to_list() == ["1", "3"]
    assert df["birth_date"].to_list() == ["1990-01-02", "2001-12-31"]
    assert df["updated_at"].to_list() == ["2024-01-01 10:00:00", None]
    assert df["amount"].to_list() == ["1500.00", "0.50"]
    assert df["n"].to_list() == ["1.5", None]
    assert df["flag"].to_list() == ["true", None]
    assert quarantine(paths, "t_people")["_row_number"].to_list() == [2]


def test_corrupt_parquet_fails(paths, make_cfg) -> None:
    cfg = make_cfg(format="parquet", path="test_dept/t_people/*.parquet", encoding=None, delimiter=None)
    data = _parquet(pa.table({"编号": ["1"], "姓名": ["张三"]}))
    land_file(paths, cfg, "a.parquet", data[:-20])
    result = load_system(cfg, paths)
    assert len(result.failures) == 1 and "Parquet" in str(result.failures[0])
