"""Decoding text extracts (CSV, JSON lines) in their configured encoding.

Fast path: the whole file decodes (one C call). Otherwise the file is decoded line by line: a few
undecodable lines are returned as rejects (quarantined) and blanked, keeping line numbers; a file that is
mostly undecodable, or whose header does not decode, is a structural error that suggests the encoding the
bytes look like.

A file declared `gbk` (or `gb2312`, `cp936`) that holds characters only GB18030 has (rare name characters
such as 𠮷 U+20BB7 or 䶮 U+4DAE, written by systems that export GB18030 and call it GBK) is decoded as
gb18030, its superset (every GBK byte sequence decodes to the same character), with a warning.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from connectors.errors import SourceError

__all__ = ["DecodedText", "decode_text"]

UTF8_FAMILY = {"utf-8", "utf_8", "utf8", "utf-8-sig", "utf_8_sig"}
GB_FAMILY = {"gbk", "gb2312", "gb18030", "cp936", "hz"}
GB18030_SUBSETS = {"gbk", "gb2312", "cp936"}  # decoded as gb18030 when they hold GB18030-only bytes
CANDIDATES = ("utf-8", "gb18030", "utf-16", "big5")
MAX_BAD_FRACTION = 0.2  # more undecodable lines than this: the encoding is wrong, not a few lines


@dataclass
class DecodedText:
    text: str
    # (line number from 1, raw line rendered with backslash escapes) for lines that did not decode
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _norm(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _guess(data: bytes, exclude: str) -> str | None:
    sample = data[: 1 << 20]
    for candidate in CANDIDATES:
        if _norm(candidate) == exclude:
            continue
        try:
            sample.decode(candidate)
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
                continue
        if candidate == "utf-16" and not (sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            continue
        return candidate
    return None


def _superset_note(data: bytes, start: int, line: int, encoding: str, display: str, yaml_name: str) -> str:
    """The warning for a file declared GBK that holds GB18030-only characters (first one at data[start:])."""
    char = ""
    for size in (2, 4):  # GB18030 characters are 2 or 4 bytes long
        try:
            char = data[start : start + size].decode("gb18030")
            break
        except UnicodeDecodeError:
            continue
    first = f"{char!r} U+{ord(char[0]):04X}" if char else f"byte {start}"
    return (
        f"{display}: characters that are not in {encoding} but in GB18030 (first on line {line}: {first}); "
        f"read as gb18030, its superset: set `encoding: gb18030` in {yaml_name}"
    )


def decode_text(data: bytes, encoding: str, *, system: str, display: str, yaml_name: str) -> DecodedText:
    enc = _norm(encoding)
    if enc in {_norm(e) for e in UTF8_FAMILY} and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        enc = "utf-8"
    if enc in {_norm(e) for e in GB_FAMILY} and not data.isascii():
        # GBK accepts many UTF-8 byte sequences as (garbled) characters: check UTF-8 first.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise SourceError(
                system, display,
                f"the file is UTF-8, not {encoding}: set `encoding: utf-8` in {yaml_name} "
                "(or ask the department for a file in the agreed encoding)",
            )
    try:
        return DecodedText(data.decode(enc))
    except UnicodeDecodeError as exc:
        first_error = exc
    superset = _norm("gb18030") if enc in {_norm(e) for e in GB18030_SUBSETS} else None
    if superset:
        try:
            text = data.decode(superset)
        except UnicodeDecodeError:
            pass
        else:
            line = data.count(b"\n", 0, first_error.start) + 1
            return DecodedText(text, warnings=[_superset_note(data, first_error.start, line, encoding, display, yaml_name)])

    raw_lines = data.split(b"\n")
    lines: list[str] = []
    bad: list[tuple[int, str]] = []
    notes: list[str] = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append(raw.decode(enc))
            continue
        except UnicodeDecodeError as exc:
            line_error = exc
        if superset:
            try:
                lines.append(raw.decode(superset))
            except UnicodeDecodeError:
                pass
            else:
                if not notes:
                    notes.append(_superset_note(raw, line_error.start, number, encoding, display, yaml_name))
                continue
        lines.append("")
        bad.append((number, raw.decode(enc, errors="backslashreplace").rstrip("\r")))
    non_empty = sum(1 for raw in raw_lines if raw.strip())
    header_bad = bool(bad) and all(not raw.strip() for raw in raw_lines[: bad[0][0] - 1])
    if len(bad) > MAX_BAD_FRACTION * max(non_empty, 1) or header_bad:
        guess = _guess(data, enc)
        hint = f"; the bytes look like {guess}: set `encoding: {guess}` in {yaml_name}" if guess else ""
        raise SourceError(
            system, display,
            f"{len(bad)} of {non_empty} lines do not decode as {encoding} "
            f"(first at byte {first_error.start}: {first_error.reason}){hint}",
            row=bad[0][0],
        )
    return DecodedText("\n".join(lines), bad, notes)


def line_spans(data: bytes):
    """Vectorised line index of UTF-8 (or any ASCII-compatible) bytes split on b"\\n".

    Returns (starts, ends, nonblank): byte offsets of each line without its "\\n" (a trailing "\\r" is
    inside [start, end)), and a mask of the lines that are not empty once a trailing "\\r" is dropped.
    Line i has the number i + 1.
    """
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [len(buf)])).astype(np.int64)
    lengths = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    nonzero = lengths > 0
    has_cr[nonzero] = buf[ends[nonzero] - 1] == 13
    return starts, ends, (lengths - has_cr) > 0
