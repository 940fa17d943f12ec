"""Excel (xlsx) reader through fastexcel (Rust calamine): every cell as a string as calamine renders it.

Row numbers are the worksheet's row numbers (header row = 1 in the usual sheet). Structural problems are
named: encrypted (password-protected) workbooks, legacy .xls, truncated or corrupt files, a missing sheet.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path, PurePosixPath

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import RawBatch
from connectors.config import SourceConfig
from connectors.csv_reader import unique_header
from connectors.errors import SourceError

__all__ = ["XlsxReader"]

log = logging.getLogger(__name__)

CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: encrypted OOXML or legacy .xls
ZIP_SIGNATURE = b"PK\x03\x04"
MAX_TITLE_ROWS = 10  # rows above the header that may hold a title
_ROW_WITH_VALUE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*>(?:(?!</(?:\w+:)?row>).)*?<(?:\w+:)?(?:v|is|t)\b', re.DOTALL)


def _ole_kind(path: Path) -> str:
    try:
        import msoffcrypto

        with path.open("rb") as fh:
            if msoffcrypto.OfficeFile(fh).is_encrypted():
                return "a password-protected (encrypted) workbook: ask the department for an unencrypted export"
    except Exception as exc:  # noqa: BLE001 - any failure here only weakens the message
        log.debug("msoffcrypto could not inspect %s: %s", path, exc)
    return "an OLE compound file (legacy .xls or encrypted workbook), not an xlsx: ask for an unencrypted .xlsx"


def _first_used_row(path: Path, sheet_index: int) -> int:
    """1-based worksheet row of the first row holding a value (calamine's range starts there)."""
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml")
            rels = zf.read("xl/_rels/workbook.xml.rels")
            rids = re.findall(rb'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]+)"', workbook)
            if sheet_index >= len(rids):
                return 1
            rid = rids[sheet_index]
            target = None
            for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
                if re.search(rb'Id="' + re.escape(rid) + rb'"', rel):
                    m = re.search(rb'Target="([^"]+)"', rel)
                    target = m.group(1).decode() if m else None
            if target is None:
                return 1
            name = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            with zf.open(name) as fh:
                head = b""
                while chunk := fh.read(1 << 16):
                    head += chunk
                    m = _ROW_WITH_VALUE.search(head)
                    if m:
                        return int(m.group(1))
                    if len(head) > (8 << 20):
                        break
    except (KeyError, zipfile.BadZipFile, ValueError):
        pass
    return 1


_EXCEL_ERRORS = {
    "Div0": "#DIV/0!", "NA": "#N/A", "Value": "#VALUE!", "Ref": "#REF!", "Name": "#NAME?", "Num": "#NUM!",
    "Null": "#NULL!", "GettingData": "#GETTING_DATA",
}


def _with_error_literals(columns: list[pa.Array], errors: list) -> list[pa.Array]:
    """Formula error cells come back as null: put the error value (#DIV/0!, #N/A, ...) there instead."""
    by_column: dict[int, dict[int, str]] = {}
    for err in errors:
        row, col = err.position
        m = re.search(r"Error\((\w+)\)", err.detail or "")
        by_column.setdefault(col, {})[row] = _EXCEL_ERRORS.get(m.group(1), f"#{m.group(1)}") if m else "#ERROR"
    out = list(columns)
    for col, cells in by_column.items():
        if col >= len(out):
            continue
        values = out[col].to_pylist()  # only columns holding an error cell
        for row, literal in cells.items():
            if row < len(values) and values[row] is None:
                values[row] = literal
        out[col] = pa.array(values, pa.string())
    return out


class XlsxReader:
    kind = "file"

    def read_file(self, cfg: SourceConfig, path: Path, *, source: str, display: str) -> RawBatch:
        with path.open("rb") as fh:
            magic = fh.read(8)
        if not magic:
            raise SourceError(cfg.system, display, "the file is empty (0 bytes)")
        if magic == CFB_SIGNATURE:
            raise SourceError(cfg.system, display, f"the file is {_ole_kind(path)}")
        if not magic.startswith(ZIP_SIGNATURE):
            raise SourceError(cfg.system, display, "not an xlsx workbook (no zip signature): wrong format or corrupt file")
        try:
            zipfile.ZipFile(path).close()
            workbook = fastexcel.read_excel(path)
        except (zipfile.BadZipFile, fastexcel.FastExcelError, OSError) as exc:
            raise SourceError(cfg.system, display, f"cannot open the workbook (truncated or corrupt?): {exc}") from exc
        names = workbook.sheet_names
        sheet = cfg.sheet if cfg.sheet is not None else (names[0] if names else None)
        if sheet is None or sheet not in names:
            raise SourceError(
                cfg.system, display,
                f"sheet {sheet!r} not found; sheets in the workbook: {', '.join(map(repr, names)) or 'none'}",
                field=sheet,
            )
        try:
            loaded, cell_errors = workbook.load_sheet(sheet, header_row=None, dtypes="string").to_arrow_with_errors()
        except fastexcel.FastExcelError as exc:
            raise SourceError(cfg.system, display, f"cannot read sheet {sheet!r} (truncated or corrupt?): {exc}") from exc
        table = pa.Table.from_batches([loaded])
        offset = _first_used_row(path, names.index(sheet))
        warnings: list[str] = []
        columns = [pc.cast(c, pa.string()) for c in table.columns]
        if cell_errors is not None and cell_errors.errors:
            columns = _with_error_literals(columns, cell_errors.errors)
            warnings.append(
                f"{display}: {len(cell_errors.errors)} formula error cell(s) landed as their error value "
                f"(first at row {cell_errors.errors[0].position[0] + offset}, column {cell_errors.errors[0].position[1] + 1})"
            )
        if not columns or table.num_rows == 0:
            raise SourceError(cfg.system, display, f"sheet {sheet!r} is empty (no header row)")
        used = np.zeros(table.num_rows, dtype=bool)
        for col in columns:
            used |= pc.is_valid(col).to_numpy(zero_copy_only=False)
        idx = np.flatnonzero(used)
        if idx.size == 0:
            raise SourceError(cfg.system, display, f"sheet {sheet!r} is empty (no header row)")
        # the header is the first row naming the most configured columns among the first used rows
        # (Chinese workbooks often carry a merged title row, e.g. 低保对象名册, above the header)
        known = set(cfg.columns)
        candidates = idx[:MAX_TITLE_ROWS + 1]
        scores = [sum(1 for col in columns if (col[int(i)].as_py() or "").strip() in known) for i in candidates]
        best = int(np.argmax(scores)) if max(scores) > 0 else 0
        header_pos, body = int(candidates[best]), idx[best + 1 :]
        if best:
            above = [" ".join(str(col[int(i)].as_py()) for col in columns if col[int(i)].is_valid) for i in candidates[:best]]
            warnings.append(
                f"{display}: {best} row(s) above the header skipped as titles: " + " | ".join(above)
            )
        header_raw = [col[header_pos].as_py() for col in columns]
        # drop trailing columns that have neither a header nor data
        keep = [
            i for i, col in enumerate(columns)
            if header_raw[i] not in (None, "") or pc.any(pc.is_valid(col.take(pa.array(body)))).as_py()
        ]
        header_raw = [header_raw[i] for i in keep]
        header = unique_header(header_raw, warnings, f"{display} sheet {sheet}")
        take = pa.array(body, pa.int64())
        data = pa.Table.from_arrays([columns[i].take(take) for i in keep], names=header)
        return RawBatch(
            source=source,
            data=data,
            row_numbers=pa.array(body + offset, pa.int64()),
            header=[(h or "").strip() for h in header_raw],
            warnings=warnings,
        )
