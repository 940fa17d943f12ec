"""Excel (xlsx) reader through fastexcel (Rust calamine): every cell as a string as calamine renders it.

Row numbers are the worksheet's row numbers (header row = 1 in the usual sheet). Structural problems are
named: encrypted (password-protected) workbooks, legacy .xls, truncated or corrupt files, a missing sheet.

The dirt of real workbooks:
- the sheet: `sheet` in the YAML; else, in a workbook of several sheets, the one whose header names the most
  configured source headers (named in a warning);
- the header: `header_row` in the YAML (1-based worksheet row), else the row among the first used rows naming
  the most configured source headers; title and notes rows above it are skipped, with a warning;
- merged header cells (the sheet's <mergeCell> list, read when the header row has empty cells): a header
  cell merged over several columns names each of them (`家庭住址`, `家庭住址__2`); a two-row header (a header
  cell merged down into the next row, or a next row that names more configured headers once joined) names a
  column `group/leaf` (`联系方式/手机`), or by its leaf (`手机`) when the YAML maps the leaf and it is unique;
  without merges, an empty group cell continues the group on its left;
- notes below the data: the trailing rows whose first value reads 制表人：, 审核人：, 注：, 说明：,
  填报单位（盖章）：, ... or 合计 / 总计 / 小计 are quarantined (`note below the data, not a record: ...`):
  counted in rows_read, never landed as records. Such a row inside the data is data.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils.cell import range_boundaries

from connectors.base import REJECT_SCHEMA, RawBatch
from connectors.config import SourceConfig
from connectors.csv_reader import unique_header
from connectors.errors import SourceError

__all__ = ["XlsxReader"]

log = logging.getLogger(__name__)

CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: encrypted OOXML or legacy .xls
ZIP_SIGNATURE = b"PK\x03\x04"
MAX_TITLE_ROWS = 10  # rows above the header that may hold a title (more: declare `header_row`)
HEAD_ROWS = 40  # rows of each sheet read to find the sheet when `sheet` is not configured
_ROW_WITH_VALUE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*>(?:(?!</(?:\w+:)?row>).)*?<(?:\w+:)?(?:v|is|t)\b', re.DOTALL)
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
# a row below the data that is a note, not a record: its first value starts with one of these and a colon
_NOTE = re.compile(
    r"(?:注|备注|说明|附注|数据来源|来源|联系电话"
    r"|(?:制表|填表|填报|审核|审批|复核|核对|统计|经办|联系|单位负责|部门负责|负责)人?"
    r"|(?:制表|填表|填报|报送|统计|打印)(?:日期|时间|单位))"
    r"\s*(?:[（(][^）)]*[）)])?\s*[:：]"
    r"|注\s*[0-9一二三四五六七八九十①-⑩]"
)
_TOTAL = re.compile(r"(?:合\s*计|总\s*计|小\s*计)\s*[:：]?")


def _ole_kind(path: Path) -> str:
    try:
        import msoffcrypto

        with path.open("rb") as fh:
            if msoffcrypto.OfficeFile(fh).is_encrypted():
                return "a password-protected (encrypted) workbook: ask the department for an unencrypted export"
    except Exception as exc:  # noqa: BLE001 - any failure here only weakens the message
        log.debug("msoffcrypto could not inspect %s: %s", path, exc)
    return "an OLE compound file (legacy .xls or encrypted workbook), not an xlsx: ask for an unencrypted .xlsx"


def _sheet_part(zf: zipfile.ZipFile, sheet_index: int) -> str | None:
    """The zip member holding the worksheet XML of the sheet at `sheet_index` (workbook order)."""
    workbook = zf.read("xl/workbook.xml")
    rels = zf.read("xl/_rels/workbook.xml.rels")
    rids = re.findall(rb'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]+)"', workbook)
    if sheet_index >= len(rids):
        return None
    rid = rids[sheet_index]
    target = None
    for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
        if re.search(rb'Id="' + re.escape(rid) + rb'"', rel):
            m = re.search(rb'Target="([^"]+)"', rel)
            target = m.group(1).decode() if m else None
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _first_used_row(path: Path, sheet_index: int) -> int:
    """1-based worksheet row of the first row holding a value (calamine's range starts there)."""
    try:
        with zipfile.ZipFile(path) as zf:
            name = _sheet_part(zf, sheet_index)
            if name is None:
                return 1
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


def _merged_ranges(path: Path, sheet_index: int) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells as 1-based (first row, first column, last row, last column). The
    <mergeCells> list follows the sheet data, so the worksheet XML is read to its end (streamed)."""
    found: list[bytes] = []
    try:
        with zipfile.ZipFile(path) as zf:
            name = _sheet_part(zf, sheet_index)
            if name is None:
                return []
            with zf.open(name) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if found:
                        found.append(chunk)
                        continue
                    buf = tail + chunk
                    at = buf.find(b"mergeCells")  # a plain search: a regex would stop at every "<"
                    if at >= 0:
                        found.append(buf[at:])
                    tail = buf[-16:]
    except (KeyError, zipfile.BadZipFile, ValueError):
        return []
    ranges = []
    for ref in _MERGE_REF.findall(b"".join(found)):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        ranges.append((min_row, min_col, max_row, max_col))
    return ranges


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


@dataclass
class _Sheet:
    """One loaded worksheet: calamine's range as string columns, from worksheet row `first_row` and
    0-based worksheet column `first_col`; `used` holds the indices of the rows holding a value."""

    name: str
    columns: list[pa.Array]
    used: np.ndarray
    first_row: int
    first_col: int
    merges: list[tuple[int, int, int, int]] | None = None  # in range coordinates (0-based), read on demand

    def values(self, i: int) -> list[str | None]:
        return [col[int(i)].as_py() for col in self.columns]

    def row(self, i: int) -> list[str | None]:
        """Row i's cells as header text: stripped, empty as None."""
        return [_text(v) for v in self.values(i)]


@dataclass
class _Header:
    pos: int  # index in sheet.used of the (upper) header row
    depth: int  # header rows: 1, or 2 for a two-row header
    names: list[str | None]  # per column: merged cells filled in, two rows joined
    score: int  # configured source headers named


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _spread(values: list[str | None], row: int, merges: list[tuple[int, int, int, int]]) -> list[str | None]:
    """Row `values` with the text of each merged range starting on this row spread over its columns."""
    out = list(values)
    for r0, c0, _r1, c1 in merges:
        if r0 == row and 0 <= c0 < len(out):
            for c in range(c0 + 1, min(c1, len(out) - 1) + 1):
                out[c] = out[c] if out[c] is not None else out[c0]
    return out


def _continue_groups(upper: list[str | None], lower: list[str | None]) -> list[str | None]:
    """Without merge information: an empty upper cell over a lower header continues the group on its left
    (a group cell is one with a lower header under it)."""
    out, group = list(upper), None
    for c, (u, lo) in enumerate(zip(upper, lower)):
        if u is not None:
            group = u if lo is not None else None
        elif lo is not None and group is not None:
            out[c] = group
        else:
            group = None
    return out


def _join(upper: list[str | None], lower: list[str | None], known: set[str]) -> list[str | None]:
    """Names of a two-row header: `group/leaf`, or the leaf alone when the YAML maps it and no other column
    has it; a cell merged down (nothing below it) keeps its own name."""
    leaves = Counter(lo for lo in lower if lo is not None)
    names: list[str | None] = []
    for u, lo in zip(upper, lower):
        if lo is None or u == lo:
            names.append(u if lo is None else lo)
        elif u is None:
            names.append(lo)
        else:
            path = f"{u}/{lo}"
            names.append(lo if path not in known and lo in known and leaves[lo] == 1 else path)
    return names


def _score(names: list[str | None], known: set[str]) -> int:
    return len({n for n in names if n is not None} & known)


def _header_at(sheet: _Sheet, pos: int, known: set[str]) -> _Header:
    """The header starting at used row `pos`: one row, or two when the next row continues it."""
    merges = sheet.merges or []
    r = int(sheet.used[pos])
    upper = _spread(sheet.row(r), r, merges)
    single = _Header(pos, 1, upper, _score(upper, known))
    if pos + 1 >= len(sheet.used) or int(sheet.used[pos + 1]) != r + 1:
        return single
    lower = _spread(sheet.row(r + 1), r + 1, merges)
    groups = upper if merges else _continue_groups(upper, lower)
    two = _Header(pos, 2, _join(groups, lower, known), 0)
    two.score = _score(two.names, known)
    merged_down = any(r0 == r and r1 > r for r0, _c0, r1, _c1 in merges)
    # joined, the two rows name more than either alone (else the lower row is the header, under a title)
    return two if two.score > max(single.score, _score(lower, known)) or merged_down else single


def _find_header(sheet: _Sheet, cfg: SourceConfig, display: str) -> _Header:
    """`header_row` if configured, else the row among the first used ones naming the most configured
    headers (the first on a tie; the first used row when none names any)."""
    known = set(cfg.columns)
    if cfg.header_row is not None:
        at = np.flatnonzero(sheet.used == cfg.header_row - sheet.first_row)
        if at.size == 0:
            raise SourceError(
                cfg.system, display,
                f"header_row {cfg.header_row} ({cfg.config_file.name}) is empty in sheet {sheet.name!r}; "
                f"rows holding values start at {sheet.first_row + int(sheet.used[0]) if sheet.used.size else '-'}",
                row=cfg.header_row,
            )
        return _header_at(sheet, int(at[0]), known)
    best: _Header | None = None
    for pos in range(min(len(sheet.used), MAX_TITLE_ROWS + 1)):
        found = _header_at(sheet, pos, known)
        if best is None or found.score > best.score:
            best = found
    assert best is not None
    return best


def _note_kind(text: str) -> str | None:
    if _TOTAL.fullmatch(text):
        return "total row"
    if _NOTE.match(text):
        return "note"
    return None


def _trailing_notes(sheet: _Sheet, body: np.ndarray, keep: list[int], header: list[str]) -> tuple[int, pa.Table, list[str]]:
    """The notes and totals rows ending the data: (how many body rows remain data, their rejects, texts)."""
    numbers: list[int] = []
    reasons: list[str] = []
    fields: list[str] = []
    raws: list[str] = []
    k = len(body)
    while k > 0:
        row, raw = sheet.row(int(body[k - 1])), sheet.values(int(body[k - 1]))
        texts = [row[i] for i in keep]
        first = next((j for j, v in enumerate(texts) if v is not None), None)
        kind = _note_kind(texts[first]) if first is not None else None
        if kind is None:
            break
        k -= 1
        numbers.append(int(body[k]) + sheet.first_row)
        reasons.append(f"{kind} below the data, not a record: {texts[first][:60]}")
        fields.append(header[first])
        cells = {h: raw[i] for h, i in zip(header, keep) if raw[i] is not None}
        raws.append(json.dumps(cells, ensure_ascii=False))
    rejects = pa.table(
        {
            "_row_number": pa.array(numbers[::-1], pa.int64()),
            "reason": pa.array(reasons[::-1], pa.string()),
            "field": pa.array(fields[::-1], pa.string()),
            "raw": pa.array(raws[::-1], pa.string()),
        },
        schema=REJECT_SCHEMA,
    )
    texts = [r.split(": ", 1)[1] for r in reasons[::-1]]
    return k, rejects, texts


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
        warnings: list[str] = []
        if cfg.sheet is not None or len(names) < 2:
            sheet_name = cfg.sheet if cfg.sheet is not None else (names[0] if names else None)
            if sheet_name is None or sheet_name not in names:
                raise SourceError(
                    cfg.system, display,
                    f"sheet {sheet_name!r} not found; sheets in the workbook: {', '.join(map(repr, names)) or 'none'}",
                    field=sheet_name,
                )
        else:
            sheet_name = self._sheet_by_header(cfg, path, workbook, display, warnings)
        sheet, cell_errors = self._load(cfg, path, workbook, sheet_name, display)
        if cell_errors is not None and cell_errors.errors:
            sheet.columns = _with_error_literals(sheet.columns, cell_errors.errors)
            warnings.append(
                f"{display}: {len(cell_errors.errors)} formula error cell(s) landed as their error value "
                f"(first at row {cell_errors.errors[0].position[0] + sheet.first_row}, "
                f"column {cell_errors.errors[0].position[1] + 1})"
            )
        if sheet.used.size == 0:
            raise SourceError(cfg.system, display, f"sheet {sheet_name!r} is empty (no header row)")
        found = _find_header(sheet, cfg, display)
        if None in sheet.row(int(sheet.used[found.pos])):  # empty header cells: merged ones are named from the merge
            sheet.merges = self._merges(path, names.index(sheet_name), sheet)
            if sheet.merges:
                found = _find_header(sheet, cfg, display)
        header_rows = sheet.used[found.pos : found.pos + found.depth]
        body = sheet.used[found.pos + found.depth :]
        if found.pos:
            above = [" ".join(v for v in sheet.row(int(i)) if v is not None) for i in sheet.used[: found.pos]]
            warnings.append(f"{display}: {found.pos} row(s) above the header skipped as titles: " + " | ".join(above))
        take = pa.array(body, pa.int64())
        # keep the columns that have a header cell of their own or data (not those only covered by a merge)
        keep = [
            i for i, col in enumerate(sheet.columns)
            if any(sheet.columns[i][int(r)].is_valid for r in header_rows) or pc.any(pc.is_valid(col.take(take))).as_py()
        ]
        header_raw = [found.names[i] for i in keep]
        header = unique_header(header_raw, warnings, f"{display} sheet {sheet_name}")
        landed, rejects, notes = _trailing_notes(sheet, body, keep, header)
        if notes:
            warnings.append(
                f"{display}: {len(notes)} row(s) below the data quarantined as notes, not records: " + " | ".join(notes)
            )
        body = body[:landed]
        take = pa.array(body, pa.int64())
        data = pa.Table.from_arrays([sheet.columns[i].take(take) for i in keep], names=header)
        return RawBatch(
            source=source,
            data=data,
            row_numbers=pa.array(body + sheet.first_row, pa.int64()),
            rejects=rejects,
            header=[h or "" for h in header_raw],
            warnings=warnings,
        )

    @staticmethod
    def _load(
        cfg: SourceConfig, path: Path, workbook, name: str, display: str, n_rows: int | None = None
    ) -> tuple[_Sheet, object]:
        try:
            loaded = workbook.load_sheet(name, header_row=None, dtypes="string", n_rows=n_rows)
            batch, cell_errors = loaded.to_arrow_with_errors()
        except fastexcel.FastExcelError as exc:
            raise SourceError(cfg.system, display, f"cannot read sheet {name!r} (truncated or corrupt?): {exc}") from exc
        columns = [pc.cast(c, pa.string()) for c in batch.columns]
        used = np.zeros(batch.num_rows, dtype=bool)
        for col in columns:
            used |= pc.is_valid(col).to_numpy(zero_copy_only=False)
        available = loaded.available_columns()
        sheet = _Sheet(
            name=name, columns=columns, used=np.flatnonzero(used),
            first_row=_first_used_row(path, workbook.sheet_names.index(name)),
            first_col=available[0].absolute_index if available else 0,
        )
        return sheet, cell_errors

    @staticmethod
    def _merges(path: Path, sheet_index: int, sheet: _Sheet) -> list[tuple[int, int, int, int]]:
        """Merged ranges in the coordinates of the loaded range (0-based row and column indices)."""
        return [
            (r0 - sheet.first_row, c0 - 1 - sheet.first_col, r1 - sheet.first_row, c1 - 1 - sheet.first_col)
            for r0, c0, r1, c1 in _merged_ranges(path, sheet_index)
        ]

    def _sheet_by_header(self, cfg: SourceConfig, path: Path, workbook, display: str, warnings: list[str]) -> str:
        """`sheet` not configured, several sheets: the one whose header names the most configured headers."""
        known = set(cfg.columns)
        scores: dict[str, int] = {}
        n_rows = HEAD_ROWS if cfg.header_row is None else max(HEAD_ROWS, cfg.header_row + 1)
        for name in workbook.sheet_names:
            head, _ = self._load(cfg, path, workbook, name, display, n_rows=n_rows)
            try:
                scores[name] = _find_header(head, cfg, display).score if head.used.size else 0
            except SourceError:  # header_row empty in this sheet
                scores[name] = 0
        best = max(scores, key=lambda n: scores[n])
        listed = ", ".join(f"{n!r} ({k})" for n, k in scores.items())
        if scores[best] == 0:
            raise SourceError(
                cfg.system, display,
                f"no sheet has a header naming the configured columns ({', '.join(list(cfg.columns)[:4])}, ...); "
                f"sheets in the workbook (columns named): {listed}; set `sheet:` in {cfg.config_file.name}",
            )
        warnings.append(
            f"{display}: sheet {best!r} read (sheet: not set): its header names {scores[best]} of {len(known)} "
            f"configured columns; sheets (columns named): {listed}"
        )
        return best
