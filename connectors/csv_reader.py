"""CSV reader: any encoding, any one-character delimiter (or `delimiter: auto`: detected per file), every
value a string exactly as written.

Row numbers are physical line numbers (header = 1, first data row = 2 in the usual file). A line whose
number of fields differs from the header's, or that does not decode, is rejected (quarantined) with its
text; the rest of the file lands.

Parsing runs in Arrow's C++ CSV parser (quotes, doubled quotes, ragged rows reported to a handler);
physical line numbers come from a vectorised scan of the newlines. A file with a record spanning
several lines (a quoted newline) goes through the stdlib csv parser (C), which tracks lines per record.

Trailing delimiters (`a,b,c,` on every line, or on the header only, or on the rows only) make no phantom
column: a line with one field more than the header, that field empty, is read without it, and an empty
last header field is dropped, with a warning. A value in that extra field quarantines its line; an empty
last header over a column that holds values keeps the column (`column_<n>`).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.base import REJECT_SCHEMA, RawBatch
from connectors.config import AUTO_DELIMITER, SourceConfig
from connectors.errors import SourceError
from connectors.text import decode_text, line_spans

__all__ = ["CsvReader", "detect_delimiter", "unique_header"]

csv.field_size_limit(sys.maxsize)

AUTO_CANDIDATES = (",", ";", "\t", "|")  # tried in this order by `delimiter: auto`
AUTO_SAMPLE_LINES = 50


def unique_header(names: list[str | None], warnings: list[str], display: str) -> list[str]:
    """Strip whitespace/BOM, name empty headers `column_<n>`, make duplicates unique (`x__2`)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        clean = (name or "").strip().lstrip("\ufeff").strip()
        if not clean:
            clean = f"column_{i}"
            warnings.append(f"{display}: column {i} has no header; landed as {clean}")
        if clean in seen:
            n = 2
            while f"{clean}__{n}" in seen:
                n += 1
            warnings.append(f"{display}: header {clean!r} appears more than once; column {i} landed as {clean}__{n}")
            clean = f"{clean}__{n}"
        seen.add(clean)
        out.append(clean)
    return out


def _rejects(numbers: list[int], reasons: list[str], raws: list[str], fields: list[str | None] | None = None) -> pa.Table:
    return pa.table(
        {
            "_row_number": pa.array(numbers, pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "field": pa.array(fields if fields is not None else [None] * len(numbers), pa.string()),
            "raw": pa.array(raws, pa.string()),
        },
        schema=REJECT_SCHEMA,
    )


def _string_table(rows: list[list[str]], header: list[str]) -> pa.Table:
    columns = list(zip(*rows)) if rows else [()] * len(header)
    return pa.Table.from_arrays([pa.array(col, pa.string()) for col in columns], names=header)


def detect_delimiter(cfg: SourceConfig, head: str, display: str) -> str:
    """The delimiter of a file configured `delimiter: auto`, from its first lines (`head`, decoded).

    The candidate (, ; tab |) that splits the header into the most configured source headers wins; on a tie,
    the one that splits the most sample lines into as many fields as the header (quoted fields respected by
    the csv module; a candidate that does not split the header counts none), then the one giving the most
    fields, then the order of the candidates.
    """
    lines = [line.rstrip("\r") for line in head.split("\n") if line.strip()][:AUTO_SAMPLE_LINES]
    if not lines:
        raise SourceError(cfg.system, display, "the file has no header line (only blank lines)")
    known = set(cfg.columns)

    def rank(delimiter: str) -> tuple[int, int, int]:
        split = list(csv.reader(lines, delimiter=delimiter, quotechar=cfg.quote_char, strict=False))
        header = split[0]
        matches = len({h.strip() for h in header} & known)
        regular = sum(1 for fields in split[1:] if len(fields) == len(header)) if len(header) > 1 else 0
        return matches, regular, len(header)

    ranks = {d: rank(d) for d in AUTO_CANDIDATES}
    best = max(AUTO_CANDIDATES, key=lambda d: ranks[d])
    if ranks[best][0] == 0 and ranks[best][2] == 1:
        raise SourceError(
            cfg.system, display,
            f"cannot detect the delimiter (delimiter: auto): none of {', '.join(map(repr, AUTO_CANDIDATES))} "
            f"splits the header line {lines[0][:80]!r}; set `delimiter:` in {cfg.config_file.name}",
            row=1,
        )
    return best


def _split_line(line: str, delimiter: str, quote_char: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, quotechar=quote_char), [])


def _trailing_header(header: list[str]) -> bool:
    """The header line ends with a delimiter: its last field is empty."""
    return len(header) > 1 and not header[-1].strip()


def _keeps_extra_column(trailing_header: bool, extra_filled: bool) -> bool:
    """An empty last header over a column holding values is a headerless column, not a trailing delimiter."""
    return trailing_header and extra_filled


def _fit_records(
    records: list[list[str]], numbers: list[int], raws: list[str], width: int
) -> tuple[list[list[str]], list[int], list[tuple[int, str, str]], int]:
    """Records with `width` fields, or one more that is empty (a trailing delimiter, dropped), are kept;
    others become (line, reason, raw) rejects. Returns kept values, their line numbers, rejects and the
    number of trailing delimiters dropped."""
    kept: list[list[str]] = []
    kept_numbers: list[int] = []
    rejects: list[tuple[int, str, str]] = []
    dropped = 0
    for record, number, raw in zip(records, numbers, raws):
        if len(record) == width + 1 and record[-1] == "":
            record, dropped = record[:-1], dropped + 1
        if len(record) == width:
            kept.append(record)
            kept_numbers.append(number)
        else:
            rejects.append((number, f"expected {width} fields, found {len(record)}", raw))
    return kept, kept_numbers, rejects, dropped


def _trailing_warning(display: str, delimiter: str, lines: int) -> list[str]:
    message = (
        f"{display}: {lines} line(s) end with a trailing delimiter {delimiter!r}: "
        "the empty field after the last column is ignored"
    )
    return [message] if lines else []


def _ending_with(data: bytes, ends: np.ndarray, lines: np.ndarray, delimiter: str) -> int:
    """How many of the (non-blank, 0-based) `lines` end with the delimiter (before a trailing \\r)."""
    if not delimiter.isascii() or lines.size == 0:
        return 0
    buf = np.frombuffer(data, dtype=np.uint8)
    last = ends[lines] - 1
    last = np.where(buf[last] == 13, last - 1, last)
    return int(np.count_nonzero(buf[last] == ord(delimiter)))


class CsvReader:
    kind = "file"

    def read_file(self, cfg: SourceConfig, path: Path, *, source: str, display: str) -> RawBatch:
        data = path.read_bytes()
        if not data:
            raise SourceError(cfg.system, display, "the file is empty (0 bytes)")
        decoded = decode_text(
            data, cfg.encoding, system=cfg.system, display=display, yaml_name=cfg.config_file.name
        )
        del data
        bad_lines, decode_warnings = decoded.bad_lines, decoded.warnings
        text = decoded.text
        del decoded
        if "\r" in text and "\n" not in text:
            # classic Mac line endings (CR only): each CR ends a line; one character for another, so the line
            # numbers stay those of the file
            text = text.replace("\r", "\n")
            decode_warnings.append(f"{display}: lines end with CR only (classic Mac): read as line ends")
        delimiter = cfg.delimiter
        if delimiter == AUTO_DELIMITER:
            delimiter = detect_delimiter(cfg, text[: 1 << 16], display)
            decode_warnings.append(f"{display}: delimiter {delimiter!r} detected (delimiter: auto)")
        utf8 = text.encode("utf-8")
        del text  # keep one copy of the text in memory, as UTF-8 bytes
        batch = self._read_arrow(cfg, utf8, delimiter, source=source, display=display)
        if batch is None:
            batch = self._read_stdlib(cfg, utf8.decode("utf-8"), delimiter, source=source, display=display)
        del utf8
        if bad_lines:
            numbers, raws = zip(*bad_lines)
            bad = _rejects(
                list(numbers), [f"line does not decode as {cfg.encoding}"] * len(numbers), list(raws)
            )
            batch.rejects = pa.concat_tables([batch.rejects, bad]).sort_by("_row_number")
        batch.warnings[:0] = decode_warnings
        return batch

    # -- Arrow's C++ CSV parser; physical line numbers from a vectorised scan of the newlines ---------
    def _read_arrow(self, cfg: SourceConfig, data: bytes, delimiter: str, *, source: str, display: str) -> RawBatch | None:
        """None when a record spans several lines (quoted newlines): the caller falls back to stdlib csv."""
        starts, ends, mask = line_spans(data)
        nonblank = np.flatnonzero(mask)
        if nonblank.size == 0:
            raise SourceError(cfg.system, display, "the file has no header line (only blank lines)")
        h = int(nonblank[0])
        header_text = data[starts[h] : ends[h]].decode("utf-8").rstrip("\r")
        header_raw = _split_line(header_text, delimiter, cfg.quote_char)
        warnings: list[str] = []
        trailing_header = _trailing_header(header_raw)
        width = len(header_raw) - trailing_header  # fields of a record without a trailing delimiter
        body_lines = nonblank[1:] + 1  # physical line numbers (1-based) of the non-blank lines after the header
        # most lines end with the delimiter (or the header does, and so does the first row): parse the
        # phantom field as a column, dropped below; the few other lines are checked one by one
        trailing = 2 * _ending_with(data, ends, nonblank[1:], delimiter) > len(body_lines)
        if trailing_header and body_lines.size and not trailing:
            first = data[starts[nonblank[1]] : ends[nonblank[1]]].decode("utf-8").rstrip("\r")
            trailing = len(_split_line(first, delimiter, cfg.quote_char)) > width
        names = [f"c{i}" for i in range(width + trailing)]
        bad: list[tuple[int, int, str]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            bad.append((row.number, row.actual_columns, row.text))
            return "skip"

        if body_lines.size == 0:
            header_raw = header_raw[:width]
            return RawBatch(
                source=source,
                data=pa.Table.from_arrays(
                    [pa.array([], pa.string())] * width, names=unique_header(header_raw, warnings, display)
                ),
                row_numbers=pa.array([], pa.int64()),
                header=[h_.strip() for h_ in header_raw],
                warnings=warnings + _trailing_warning(display, delimiter, int(trailing_header)),
            )
        body = pa.py_buffer(data)[int(starts[h + 1]) if h + 1 < len(starts) else len(data) :]
        try:
            table = pacsv.read_csv(
                pa.BufferReader(body),
                read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, quote_char=cfg.quote_char or False, double_quote=True,
                    newlines_in_values=True, invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:
            return None  # e.g. a quoted field longer than a block: the stdlib parser has no such limit
        if table.num_rows + len(bad) != len(body_lines) or any(b[0] is None for b in bad):
            return None
        keep = np.ones(len(body_lines), dtype=bool)
        keep[np.array([b[0] - 1 for b in bad], dtype=np.int64)] = False
        row_numbers = body_lines[keep]
        columns = [c.cast(pa.string()) for c in table.columns]
        dropped = int(trailing_header)
        records: list[list[str]] = []  # rows Arrow rejected or whose extra field holds a value: checked one by one
        numbers: list[int] = []
        raws: list[str] = []
        if trailing:
            filled = pc.not_equal(columns[width], "").to_numpy(zero_copy_only=False)
            if _keeps_extra_column(trailing_header, bool(filled.any())):
                width, dropped = width + 1, 0
            else:
                columns, dropped = columns[:width], dropped + int(np.count_nonzero(~filled))
                for i in np.flatnonzero(filled):
                    line = int(row_numbers[i])
                    raws.append(data[starts[line - 1] : ends[line - 1]].decode("utf-8").rstrip("\r"))
                    records.append(_split_line(raws[-1], delimiter, cfg.quote_char))
                    numbers.append(line)
                if filled.any():
                    columns = [c.filter(pa.array(~filled)) for c in columns]
                    row_numbers = row_numbers[~filled]
        header_raw = header_raw[:width]
        for number, _actual, text in bad:
            raws.append(text.rstrip("\r"))
            records.append(_split_line(raws[-1], delimiter, cfg.quote_char))
            numbers.append(int(body_lines[number - 1]))
        kept, kept_numbers, rejected, repaired = _fit_records(records, numbers, raws, width)
        header = unique_header(header_raw, warnings, display)
        data_table = pa.Table.from_arrays(columns, names=header)
        if kept:
            data_table = pa.concat_tables([data_table, _string_table(kept, header)])
            row_numbers = np.concatenate([row_numbers, np.array(kept_numbers, dtype=np.int64)])
            order = np.argsort(row_numbers, kind="stable")
            data_table, row_numbers = data_table.take(pa.array(order)), row_numbers[order]
        rejected.sort()
        return RawBatch(
            source=source,
            data=data_table,
            row_numbers=pa.array(row_numbers, pa.int64()),
            rejects=_rejects([r[0] for r in rejected], [r[1] for r in rejected], [r[2] for r in rejected]),
            header=[h_.strip() for h_ in header_raw],
            warnings=warnings + _trailing_warning(display, delimiter, dropped + repaired),
        )

    # -- fallback for records spanning lines: stdlib csv (C parser), line numbers per record ---------
    def _read_stdlib(self, cfg: SourceConfig, text: str, delimiter: str, *, source: str, display: str) -> RawBatch:
        """A bad record spanning several lines (an unbalanced quote) is not allowed to swallow the lines
        after it: its first line is rejected and parsing restarts on the next line."""
        all_lines = text.split("\n")
        warnings: list[str] = []
        header_raw: list[str] | None = None
        width = 0
        rows: list[list[str]] = []
        row_numbers: list[int] = []
        row_ends: list[int] = []
        bad: list[tuple[int, int, int, str]] = []  # (first line, last line, n fields, reason)
        offset = 0  # lines before the current segment
        while offset < len(all_lines):
            segment = text if offset == 0 else "\n".join(all_lines[offset:])
            reader = csv.reader(
                io.StringIO(segment, newline=""), delimiter=delimiter, quotechar=cfg.quote_char, strict=False
            )
            prev, restart = 0, None
            try:
                for record in reader:
                    start, prev = offset + prev + 1, reader.line_num
                    end = offset + prev
                    if not record:
                        continue
                    if header_raw is None:
                        header_raw, width = record, len(record) - _trailing_header(record)
                    elif len(record) in (width, width + 1):  # checked below (trailing delimiters)
                        rows.append(record)
                        row_numbers.append(start)
                        row_ends.append(end)
                    elif end > start:
                        reason = (
                            f"unbalanced quote: the record runs to line {end} with {len(record)} fields, "
                            f"expected {width}"
                        )
                        bad.append((start, start, len(record), reason))
                        restart = start  # 0-based index of the line after `start`
                        break
                    else:
                        bad.append((start, end, len(record), f"expected {width} fields, found {len(record)}"))
            except csv.Error as exc:
                raise SourceError(cfg.system, display, f"CSV parse error: {exc}", row=offset + reader.line_num) from exc
            if restart is None:
                break
            offset = restart
        if header_raw is None:
            raise SourceError(cfg.system, display, "the file has no header line (only blank lines)")
        trailing_header = _trailing_header(header_raw)
        if _keeps_extra_column(trailing_header, any(len(r) > width and r[-1] != "" for r in rows)):
            width, trailing_header = width + 1, False
        header_raw = header_raw[:width]
        raws = ["\n".join(all_lines[a - 1 : b]).rstrip("\r") for a, b in zip(row_numbers, row_ends)]
        rows, row_numbers, rejected, dropped = _fit_records(rows, row_numbers, raws, width)
        rejected += [(b[0], b[3], "\n".join(all_lines[b[0] - 1 : b[1]]).rstrip("\r")) for b in bad]
        rejected.sort()
        header = unique_header(header_raw, warnings, display)
        return RawBatch(
            source=source,
            data=_string_table(rows, header),
            row_numbers=pa.array(row_numbers, pa.int64()),
            rejects=_rejects([r[0] for r in rejected], [r[1] for r in rejected], [r[2] for r in rejected]),
            header=[h.strip() for h in header_raw],
            warnings=warnings + _trailing_warning(display, delimiter, dropped + trailing_header),
        )
