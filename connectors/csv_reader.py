"""CSV reader: any encoding, any one-character delimiter, every value a string exactly as written.

Row numbers are physical line numbers (header = 1, first data row = 2 in the usual file). A line whose
number of fields differs from the header's, or that does not decode, is rejected (quarantined) with its
text; the rest of the file lands.

Fast path (no quote character in the file): lines are split and counted with Arrow compute kernels.
Files with quoted fields go through the stdlib csv parser (C), which handles quoted delimiters and
newlines.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import REJECT_SCHEMA, RawBatch
from connectors.config import SourceConfig
from connectors.errors import SourceError
from connectors.text import decode_text

__all__ = ["CsvReader", "unique_header"]

csv.field_size_limit(sys.maxsize)


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
        text = decoded.text
        if cfg.quote_char and cfg.quote_char in text:
            batch = self._read_quoted(cfg, text, source=source, display=display)
        else:
            batch = self._read_plain(cfg, text, source=source, display=display)
        if decoded.bad_lines:
            numbers, raws = zip(*decoded.bad_lines)
            bad = _rejects(
                list(numbers), [f"line does not decode as {cfg.encoding}"] * len(numbers), list(raws)
            )
            batch.rejects = pa.concat_tables([batch.rejects, bad]).sort_by("_row_number")
        return batch

    # -- no quotes anywhere: vectorised --------------------------------------------------------------
    def _read_plain(self, cfg: SourceConfig, text: str, *, source: str, display: str) -> RawBatch:
        delim = cfg.delimiter
        lines = pa.array(text.split("\n"), pa.large_string())
        if "\r" in text:
            lines = pc.utf8_rtrim(lines, characters="\r")
        numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
        non_blank = pc.greater(pc.utf8_length(lines), 0).to_numpy(zero_copy_only=False)
        idx = np.flatnonzero(non_blank)
        if idx.size == 0:
            raise SourceError(cfg.system, display, "the file has no header line (only blank lines)")
        warnings: list[str] = []
        header_pos = int(idx[0])
        header_raw = lines[header_pos].as_py().split(delim)
        header = unique_header(header_raw, warnings, display)
        width = len(header)
        body = idx[1:]
        body_lines = lines.take(pa.array(body))
        body_numbers = numbers[body]
        n_fields = pc.add(pc.count_substring(body_lines, delim), 1).to_numpy(zero_copy_only=False)
        good = n_fields == width
        bad_pos = np.flatnonzero(~good)
        rejects = _rejects(
            body_numbers[bad_pos].tolist(),
            [f"expected {width} fields, found {int(n)}" for n in n_fields[bad_pos]],
            body_lines.take(pa.array(bad_pos)).to_pylist(),
        )
        good_lines = body_lines.filter(pa.array(good)) if bad_pos.size else body_lines
        if width == 1:
            columns = [pc.cast(good_lines, pa.string())]
        else:
            flat = pc.split_pattern(good_lines, delim).flatten()
            columns = [
                pc.cast(flat.take(pa.array(np.arange(i, len(flat), width, dtype=np.int64))), pa.string())
                for i in range(width)
            ]
        table = pa.Table.from_arrays(columns, names=header)
        return RawBatch(
            source=source,
            data=table,
            row_numbers=pa.array(body_numbers[good], pa.int64()),
            rejects=rejects,
            header=[h.strip() for h in header_raw],
            warnings=warnings,
        )

    # -- quoted fields: stdlib csv (C parser), line numbers tracked per record -----------------------
    def _read_quoted(self, cfg: SourceConfig, text: str, *, source: str, display: str) -> RawBatch:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=cfg.delimiter, quotechar=cfg.quote_char, strict=False
        )
        warnings: list[str] = []
        header_raw: list[str] | None = None
        width = 0
        rows: list[list[str]] = []
        row_numbers: list[int] = []
        bad: list[tuple[int, int, int]] = []  # (first line, last line, n fields)
        prev = 0
        try:
            for record in reader:
                start, prev = prev + 1, reader.line_num
                if not record:
                    continue
                if header_raw is None:
                    header_raw, width = record, len(record)
                elif len(record) == width:
                    rows.append(record)
                    row_numbers.append(start)
                else:
                    bad.append((start, prev, len(record)))
        except csv.Error as exc:
            raise SourceError(cfg.system, display, f"CSV parse error: {exc}", row=reader.line_num) from exc
        if header_raw is None:
            raise SourceError(cfg.system, display, "the file has no header line (only blank lines)")
        header = unique_header(header_raw, warnings, display)
        if bad:
            all_lines = text.split("\n")
            rejects = _rejects(
                [b[0] for b in bad],
                [f"expected {width} fields, found {b[2]}" for b in bad],
                ["\n".join(all_lines[b[0] - 1 : b[1]]).rstrip("\r") for b in bad],
            )
        else:
            rejects = REJECT_SCHEMA.empty_table()
        columns = list(zip(*rows)) if rows else [()] * width
        table = pa.Table.from_arrays([pa.array(col, pa.string()) for col in columns], names=header)
        return RawBatch(
            source=source,
            data=table,
            row_numbers=pa.array(row_numbers, pa.int64()),
            rejects=rejects,
            header=[h.strip() for h in header_raw],
            warnings=warnings,
        )
