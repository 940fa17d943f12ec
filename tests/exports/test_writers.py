"""The three writers on a small frame: xlsx (title rows, headers, frozen pane, widths), csv (BOM), parquet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from shequyun.files.writers import (
    TITLE_ROWS,
    SheetContext,
    column_widths,
    display_frame,
    sha256_of,
    write_csv,
    write_ledger_file,
    write_parquet,
    write_xlsx,
)

HEADERS = ["居委会代码", "姓名", "身份证号", "出生日期", "年龄", "是否独居", "标签", "居住地址"]
CONTEXT = SheetContext(title="高龄老人名册", committee_line="静安区 江宁路街道 恒德里居委会（310106006001）",
                       period_line="报告期：2026-11　数据截至：2026-11-01", generated_at=datetime(2026, 11, 26, tzinfo=UTC))


def _frame() -> pl.DataFrame:
    return pl.DataFrame({
        "committee_code": ["310106006001", "310106006001", "310106006001"],
        "name": ["张伟", "阿依古丽·买买提", None],
        "id_number": ["310***********0011", "310***********0020", None],
        "birth_date": [date(1940, 1, 1), date(1942, 3, 15), None],
        "age": [86, 84, None],
        "lives_alone": [True, False, None],
        "tags": [["高龄", "独居"], [], None],
        "address": ["静安区江宁路1弄1号101室" * 10, "静安区江宁路1弄2号", None],
    }, schema_overrides={"age": pl.Int32})


def test_xlsx_title_headers_frozen_pane_widths(tmp_path: Path) -> None:
    written = write_xlsx(tmp_path / "a.xlsx", _frame(), HEADERS, CONTEXT, max_width=40)
    assert written.rows == 3 and written.format == "xlsx"
    assert written.sha256 == sha256_of(tmp_path / "a.xlsx") and written.bytes == (tmp_path / "a.xlsx").stat().st_size
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    sheet = book.active
    assert sheet.title == "高龄老人名册"
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 3)] == [CONTEXT.title, CONTEXT.committee_line,
                                                                      CONTEXT.period_line]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:H1", "A2:H2", "A3:H3"}
    assert [c.value for c in sheet[TITLE_ROWS + 1]] == HEADERS
    assert sheet.freeze_panes == f"A{TITLE_ROWS + 2}"
    rows = [list(r) for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)]
    assert rows[0] == ["310106006001", "张伟", "310***********0011", "1940-01-01", 86, "是", "高龄、独居",
                       "静安区江宁路1弄1号101室" * 10]
    assert rows[1][5] == "否" and rows[1][6] is None        # an empty list is an empty cell
    assert rows[2] == ["310106006001", None, None, None, None, None, None, None]
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    # xlsxwriter stores width + 0.71 (cell padding); fitted: 12 digits + 2; 7 CJK (2 each) + interpunct (1) + 2;
    # 年龄 (header 4) -> the minimum 6; the long address capped at max_width
    assert {k: int(widths[k]) for k in "ABEH"} == {"A": 14, "B": 17, "E": 6, "H": 40}
    assert sheet.auto_filter.ref == f"A{TITLE_ROWS + 1}:H{TITLE_ROWS + 1 + 3}"
    assert sheet.print_title_rows == f"$1:${TITLE_ROWS + 1}"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.cell(row=1, column=1).font.sz == 16 and sheet.cell(row=1, column=1).font.bold
    header = sheet.cell(row=TITLE_ROWS + 1, column=1)
    assert header.font.bold and header.fill.fgColor.rgb.endswith("DDEBF7")


def test_xlsx_of_a_one_column_ledger(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "one.xlsx", _frame().select("committee_code"), HEADERS[:1], CONTEXT)
    sheet = openpyxl.load_workbook(tmp_path / "one.xlsx").active
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 3, 4, 5)] == [
        CONTEXT.title, CONTEXT.committee_line, CONTEXT.period_line, HEADERS[0], "310106006001"]


def test_column_widths_count_cjk_double() -> None:
    frame = pl.DataFrame({"a": ["abcd"], "b": ["一二三四"], "c": [None]}, schema={"a": pl.String, "b": pl.String,
                                                                         "c": pl.String})
    assert column_widths(frame, ["x", "y", "很长很长的表头"], max_width=60) == [6, 10, 16]


def test_xlsx_of_an_empty_ledger_has_titles_and_headers(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "e.xlsx", _frame().clear(), HEADERS, CONTEXT)
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    assert sheet.max_row == TITLE_ROWS + 1
    assert [c.value for c in sheet[TITLE_ROWS + 1]] == HEADERS


def test_csv_utf8_with_bom(tmp_path: Path) -> None:
    written = write_csv(tmp_path / "a.csv", _frame(), HEADERS)
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1][:7] == ["310106006001", "张伟", "310***********0011", "1940-01-01", "86", "是", "高龄、独居"]
    assert len(rows) == 4 and written.rows == 3


def test_parquet_round_trip(tmp_path: Path) -> None:
    frame = _frame()
    write_parquet(tmp_path / "a.parquet", frame, HEADERS, {"ledger": "elderly", "period": "2026-11"})
    back = pl.read_parquet(tmp_path / "a.parquet")
    assert back.equals(frame)
    assert back.schema == frame.schema
    schema = pq.read_schema(tmp_path / "a.parquet")
    assert [schema.field(i).metadata[b"header"].decode() for i in range(len(schema))] == HEADERS
    assert '"period": "2026-11"' in schema.metadata[b"shequyun"].decode()


def test_display_frame_types() -> None:
    shown = display_frame(_frame())
    assert shown.schema["birth_date"] == pl.String and shown.schema["lives_alone"] == pl.String
    assert shown["tags"].to_list() == ["高龄、独居", "", None]
    assert shown.schema["age"] == pl.Int32


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        write_ledger_file("pdf", tmp_path / "a.pdf", _frame(), HEADERS, CONTEXT)


def test_xlsx_of_many_rows_holds_every_value_typed(tmp_path: Path) -> None:
    frame = pl.concat([_frame()] * 5_000)
    write_xlsx(tmp_path / "big.xlsx", frame, HEADERS, CONTEXT)
    sheet = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(min_row=TITLE_ROWS + 2, values_only=True)]
    # an empty text (an empty list) is an empty cell, as Excel shows it
    expected = [[None if v == "" else v for v in r] for r in display_frame(frame).iter_rows()]
    assert len(rows) == 15_000 and rows == expected
    assert all(isinstance(r[4], int | float) for r in rows[::3])          # ages are numbers, not text


def test_xlsx_is_the_same_bytes_whenever_it_is_written_and_carries_the_export_time(tmp_path: Path) -> None:
    import time
    import zipfile
    first = write_xlsx(tmp_path / "a.xlsx", _frame(), HEADERS, CONTEXT)
    time.sleep(1.1)                         # the writer's own clock stamp has one-second resolution
    second = write_xlsx(tmp_path / "b.xlsx", _frame(), HEADERS, CONTEXT)
    assert first.sha256 == second.sha256 and first.bytes == (tmp_path / "a.xlsx").stat().st_size
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert archive.testzip() is None
        assert [i.filename for i in archive.infolist()][-2:] == ["docProps/core.xml", "docProps/app.xml"]
    properties = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    assert properties.title == CONTEXT.title
    assert properties.created == CONTEXT.generated_at.replace(tzinfo=None)


