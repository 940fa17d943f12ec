"""One ledger of one committee into one file: xlsx (for people), csv (for Excel and scripts), parquet (for machines).

The frame a writer gets is already masked and holds the exported columns only, under their dbt names; the writer
renames them to the Chinese headers (xlsx, csv) or keeps the names and stores the headers as field metadata
(parquet). Nothing here decides what is exported or masked: that is exports/package.py with the catalogue.

* xlsx — xlsxwriter; a large sheet in constant_memory mode (rows streamed to disk in order; the column widths are
  measured on the frame first, so nothing has to be kept to fit them), a small one in memory (no temporary files). Three title rows (ledger title; committee with its
  street and district; period, data as of, filer, masking note), the header row frozen below them with a filter,
  widths fitted to the widest value (CJK characters count double), printed landscape with the titles repeated.
* csv — UTF-8 with a byte-order mark, so Excel opens Chinese text without an import dialogue.
* parquet — typed columns via pyarrow, each field with its Chinese header; ledger, committee and period in the
  file's key-value metadata.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

FORMAT_SUFFIX = {"xlsx": ".xlsx", "csv": ".csv", "parquet": ".parquet"}
TITLE_ROWS = 3           # rows above the header row in an xlsx
MIN_COLUMN_WIDTH = 6
CONSTANT_MEMORY_ROWS = 20_000   # from this many rows an xlsx is streamed to disk row by row (constant_memory)
LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class SheetContext:
    """What the title rows of a ledger file say."""

    title: str
    committee_line: str          # 静安区 江宁路街道 恒德里居委会（310106006001）
    period_line: str             # 报告期：2026-11　数据截至：2026-11-01　填报：居委会　身份证号、电话已脱敏
    generated_at: datetime | None = None


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    format: str
    rows: int
    bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _written(path: Path, fmt: str, rows: int) -> WrittenFile:
    return WrittenFile(path=path, format=fmt, rows=rows, bytes=path.stat().st_size, sha256=sha256_of(path))


def display_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Values as a person reads them in Excel: 是/否 for booleans, ISO dates, lists joined with 、, decimals as floats.

    Vectorised (polars expressions), so the per-row xlsx loop only hands over ready values."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Boolean:
            exprs.append(pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(None).alias(name))
        elif dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.strftime("%Y-%m-%d %H:%M:%S").alias(name))
        elif isinstance(dtype, (pl.List, pl.Array)):
            exprs.append(col.cast(pl.List(pl.String)).list.join(LIST_SEPARATOR).alias(name))
        elif isinstance(dtype, pl.Decimal):
            exprs.append(col.cast(pl.Float64).alias(name))
        elif isinstance(dtype, (pl.Struct, pl.Object, pl.Binary)) or dtype == pl.Time:
            exprs.append(col.cast(pl.String).alias(name))
        else:
            exprs.append(col)
    return frame.select(exprs) if exprs else frame


def text_width(expr: pl.Expr) -> pl.Expr:
    """Display width of a string: 1 per ASCII character, 2 per CJK character (3 UTF-8 bytes -> (3 + 1) / 2)."""
    return (expr.str.len_bytes() + expr.str.len_chars()) // 2


def value_widths(frame: pl.DataFrame) -> list[int | None]:
    """The display width of the widest value of each column (None for a column without values)."""
    if frame.width == 0:
        return []
    return list(frame.select(text_width(pl.col(c).cast(pl.String)).max().alias(c) for c in frame.columns).row(0))


def column_widths(frame: pl.DataFrame, headers: Sequence[str], max_width: int = 60,
                  widest: Sequence[int | None] | None = None) -> list[int]:
    """Fitted widths: the widest of header and values (+2 for padding), within [MIN_COLUMN_WIDTH, max_width].

    `widest` (value widths measured beforehand, e.g. for every committee in one group_by) saves the scan."""
    if widest is None:
        widest = value_widths(frame) if frame.height else [None] * frame.width
    widths = []
    for header, value in zip(headers, widest, strict=True):
        header_width = (len(header.encode()) + len(header)) // 2
        widths.append(max(MIN_COLUMN_WIDTH, min(max_width, max(header_width, value or 0) + 2)))
    return widths


def _sheet_name(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "台账"
    return cleaned[:31]


def write_xlsx(path: Path, frame: pl.DataFrame, headers: Sequence[str], context: SheetContext,
               *, max_width: int = 60, constant_memory_rows: int = CONSTANT_MEMORY_ROWS,
               shown: pl.DataFrame | None = None, widest: Sequence[int | None] | None = None) -> WrittenFile:
    """`shown` (display_frame of `frame`) and `widest` (its value widths) may be given when already computed."""
    if shown is None:
        shown = display_frame(frame)
    widths = column_widths(shown, headers, max_width, widest)
    ncols = max(len(headers), 1)
    # Small sheets are built in memory: constant_memory streams rows through a temporary file per sheet, and
    # creating and deleting thousands of those costs more than the rows themselves. Large sheets stream.
    streamed = frame.height >= constant_memory_rows
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": streamed, "in_memory": not streamed,
                                               "strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False, "nan_inf_to_errors": True})
    try:
        if context.generated_at is not None:
            workbook.set_properties({"title": context.title, "created": context.generated_at.replace(tzinfo=None)})
        sheet = workbook.add_worksheet(_sheet_name(context.title))
        title_fmt = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        line_fmt = workbook.add_format({"font_size": 11, "align": "left"})
        header_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                          "valign": "vcenter", "text_wrap": True})
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for row, (text, fmt) in enumerate(((context.title, title_fmt), (context.committee_line, line_fmt),
                                           (context.period_line, line_fmt))):
            if ncols > 1:
                sheet.merge_range(row, 0, row, ncols - 1, text, fmt)
            else:
                sheet.write_string(row, 0, text, fmt)
        sheet.set_row(0, 28)
        header_row = TITLE_ROWS
        sheet.write_row(header_row, 0, list(headers), header_fmt)
        # one typed writer per column instead of write_row's per-cell type dispatch (~20 % faster); None stays blank
        writers = [sheet.write_string if dtype == pl.String else sheet.write_number if dtype.is_numeric()
                   else sheet.write for dtype in shown.dtypes]
        for offset, values in enumerate(shown.iter_rows(), start=header_row + 1):
            for col, value in enumerate(values):
                if value is not None:
                    writers[col](offset, col, value)
        sheet.freeze_panes(header_row + 1, 0)
        if headers:
            sheet.autofilter(header_row, 0, header_row + max(shown.height, 1), len(headers) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)             # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, header_row)
    finally:
        workbook.close()
    return _written(path, "xlsx", frame.height)


def write_csv(path: Path, frame: pl.DataFrame, headers: Sequence[str], *,
              shown: pl.DataFrame | None = None) -> WrittenFile:
    shown = (display_frame(frame) if shown is None else shown).clone()
    shown.columns = list(headers)
    shown.write_csv(path, include_bom=True)
    return _written(path, "csv", frame.height)


def write_parquet(path: Path, frame: pl.DataFrame, headers: Sequence[str],
                  metadata: Mapping[str, str] | None = None) -> WrittenFile:
    table = frame.to_arrow()
    fields = [f.with_metadata({"header": h}) for f, h in zip(table.schema, headers, strict=True)]
    file_meta = {"shequyun": json.dumps(dict(metadata or {}), ensure_ascii=False)}
    schema = pa.schema(fields, metadata=file_meta)
    pq.write_table(table.cast(schema), path, compression="zstd")
    return _written(path, "parquet", frame.height)


def write_ledger_file(fmt: str, path: Path, frame: pl.DataFrame, headers: Sequence[str], context: SheetContext,
                      *, metadata: Mapping[str, str] | None = None, max_width: int = 60,
                      shown: pl.DataFrame | None = None, widest: Sequence[int | None] | None = None) -> WrittenFile:
    if fmt == "xlsx":
        return write_xlsx(path, frame, headers, context, max_width=max_width, shown=shown, widest=widest)
    if fmt == "csv":
        return write_csv(path, frame, headers, shown=shown)
    if fmt == "parquet":
        return write_parquet(path, frame, headers, metadata)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMAT_SUFFIX)}")
