"""One ledger of one committee into one file: xlsx (for people), csv (for Excel and scripts), parquet (for machines).

The frame a writer gets is already masked and holds the exported columns only, under their dbt names; the writer
renames them to the Chinese headers (xlsx, csv) or keeps the names and stores the headers as field metadata
(parquet). Nothing here decides what is exported or masked: that is exports/package.py with the catalogue.

* xlsx — rust_xlsxwriter through rustpy_xlsxwriter: the frame is handed over as Arrow and streamed in constant
  memory (the column widths are measured on the frame first). Three title rows (ledger title; committee with its
  street and district; period, data as of, filer, masking note), the header row frozen below them with a filter,
  widths fitted to the widest value (CJK characters count double), printed landscape with the titles repeated.
* csv — UTF-8 with a byte-order mark, so Excel opens Chinese text without an import dialogue.
* parquet — typed columns via pyarrow, each field with its Chinese header; ledger, committee and period in the
  file's key-value metadata.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from rustpy_xlsxwriter import Format, write_worksheet

FORMAT_SUFFIX = {"xlsx": ".xlsx", "csv": ".csv", "parquet": ".parquet"}
TITLE_ROWS = 3           # rows above the header row in an xlsx
MIN_COLUMN_WIDTH = 6
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


def _xlsx_formats() -> tuple[Format, Format, Format]:
    """The title, title-line and header cell formats of a ledger sheet."""
    title = Format().set_bold().set_font_size(16).set_align("center").set_align("vcenter")
    line = Format().set_font_size(11).set_align("left")
    header = (Format().set_bold().set_background_color("#DDEBF7").set_border("thin").set_align("center")
              .set_align("vcenter").set_text_wrap())
    return title, line, header


def write_xlsx(path: Path, frame: pl.DataFrame, headers: Sequence[str], context: SheetContext,
               *, max_width: int = 60, shown: pl.DataFrame | None = None,
               widest: Sequence[int | None] | None = None) -> WrittenFile:
    """`shown` (display_frame of `frame`) and `widest` (its value widths) may be given when already computed.

    The frame goes to rust_xlsxwriter as Arrow (rustpy_xlsxwriter), in constant memory: no Python call per cell
    (xlsxwriter's ~10 us a cell was most of an export's time)."""
    if shown is None:
        shown = display_frame(frame)
    widths = column_widths(shown, headers, max_width, widest)
    title_fmt, line_fmt, header_fmt = _xlsx_formats()
    last_col = max(len(headers) - 1, 1)     # Excel has no one-cell merge: a one-column ledger's titles span two
    titles = ((context.title, title_fmt), (context.committee_line, line_fmt), (context.period_line, line_fmt))
    # the title row has no set height: Excel fits it to its 16 pt font (rustpy_xlsxwriter 0.8 drops a height set on
    # row 0 once row 1 holds a merge, in constant-memory mode)
    merges = [(row, 0, row, last_col, text, fmt) for row, (text, fmt) in enumerate(titles)]
    data = shown.rename(dict(zip(shown.columns, headers, strict=True))) if headers else shown
    write_worksheet(data, str(path), sheet_name=_sheet_name(context.title), header_row=TITLE_ROWS,
                    merge_ranges=merges, header_format=header_fmt,
                    freeze_row=TITLE_ROWS + 1, autofilter=bool(headers), column_widths=widths,
                    page_setup={"landscape": True, "paper_size": 9,            # A4
                                "fit_to_pages": (1, 0), "repeat_rows": (0, TITLE_ROWS)})
    if context.generated_at is not None:
        _stamp_core_properties(path, context.title, context.generated_at)
    return _written(path, "xlsx", frame.height)


CORE_PROPERTIES = "docProps/core.xml"


def _core_xml(title: str, created: datetime) -> str:
    stamp = (created.astimezone(UTC) if created.tzinfo else created).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>shequyun</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')


def _stamp_core_properties(path: Path, title: str, created: datetime) -> None:
    """The workbook's title and creation time from the export instead of the clock, so one export run is the same
    bytes whenever it is repeated (manifest checksums compare across runs and across worker counts).

    rust_xlsxwriter stamps docProps/core.xml with the wall clock and rustpy_xlsxwriter 0.8 cannot set document
    properties. It writes core.xml and app.xml last, after the sheet: the archive is cut back to core.xml and
    those two small members are written again, so the sheet's deflated bytes are never touched. zipfile has no
    public way to drop a member; `start_dir` (where the next member goes) is set to the old core.xml's offset."""
    with zipfile.ZipFile(path, "a") as archive:
        members = archive.infolist()
        start = archive.getinfo(CORE_PROPERTIES).header_offset
        tail = [i for i in members if i.header_offset >= start]
        if {i.filename for i in tail} - {CORE_PROPERTIES, "docProps/app.xml"}:      # another writer's layout
            raise RuntimeError(f"{path}: unexpected member order {[i.filename for i in members]}")
        kept = {i.filename: archive.read(i) for i in tail if i.filename != CORE_PROPERTIES}
        for info in tail:
            members.remove(info)
            del archive.NameToInfo[info.filename]
        archive.start_dir = start
        for info in tail:
            data = _core_xml(title, created).encode() if info.filename == CORE_PROPERTIES else kept[info.filename]
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


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
