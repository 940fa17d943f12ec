"""Content digests of a generated city, for pinning its output in tests.

    content_digest(Path("data"))  ->  {"manifest.json": "<sha256>", "truth/persons.parquet": "<sha256>", ...}

One sha256 per file, of its content rather than its container bytes: a Parquet file is hashed as its schema and CSV
text (the bytes carry the writer's version), a workbook as its sheets' cell values (the zip carries timestamps); any
other file as its bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import polars as pl


def file_content(path: Path) -> bytes:
    """The bytes a file's digest is taken of."""
    if path.suffix == ".parquet":
        df = pl.read_parquet(path)
        return (str(df.schema) + "\n" + df.write_csv()).encode("utf-8")
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return repr([(ws.title, list(ws.iter_rows(values_only=True))) for ws in wb.worksheets]).encode("utf-8")
        finally:
            wb.close()
    return path.read_bytes()


def content_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` (relative path -> hex digest), in path order."""
    root = Path(root)
    return {str(p.relative_to(root)): hashlib.sha256(file_content(p)).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
