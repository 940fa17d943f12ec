"""Write one system's rows in its declared format, with injected duplicate and broken rows.

Row keys follow SCHEMA.md: CSV/xlsx header = row 1, first data row = 2; JSON lines from 1;
Parquet row index from 1; DB tables: the primary-key value.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from shequyun_synth.extracts.spec import SystemSpec

FIXED_CREATED = datetime(2026, 11, 1, 8, 0, 0)


def hidden(df: pl.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("_")]


def inject_rows(df: pl.DataFrame, spec: SystemSpec, dup_rate: float, broken_rate: float,
                rng: np.random.Generator) -> pl.DataFrame:
    """Append exact duplicates and broken copies at random positions.

    Adds `_kind` (ok / duplicate / broken), `_how` (how a row is broken), `_of` (the `_rid` a copy was made from).
    """
    n = df.height
    base = df.with_columns(pl.lit("ok").alias("_kind"), pl.lit(None, pl.String).alias("_how"),
                           pl.col("_rid").cast(pl.Float64).alias("_pos"))
    dup = np.flatnonzero(rng.random(n) < dup_rate)
    brk = np.flatnonzero(rng.random(n) < broken_rate)
    frames = [base]
    if len(dup):
        gap = rng.uniform(0.01, 1, len(dup)) * np.minimum(30, n - dup)
        frames.append(base[dup].with_columns(pl.lit("duplicate").alias("_kind"),
                                             pl.Series("_pos", dup + gap)))
    if len(brk):
        if spec.format == "csv":
            how = np.where(rng.random(len(brk)) < 0.5, "short_line", "required_empty")
        elif spec.format == "jsonl":
            how = np.where(rng.random(len(brk)) < 0.5, "cut_line", "required_empty")
        else:
            how = np.full(len(brk), "required_empty")
        frames.append(base[brk].with_columns(pl.lit("broken").alias("_kind"), pl.Series("_how", how, dtype=pl.String),
                                             pl.Series("_pos", rng.uniform(0, n, len(brk)))))
    out = pl.concat(frames, how="vertical").sort("_pos", "_kind", maintain_order=True)
    return out.drop("_pos")


def required_field(spec: SystemSpec) -> str:
    """The required column that a broken row leaves empty (never the DB primary key)."""
    names = [c for c in spec.required if c not in spec.primary_key or not spec.is_db]
    canonical = "person_name" if "person_name" in names else names[-1]
    return spec.header_of(canonical)


def _text_frame(df: pl.DataFrame, spec: SystemSpec) -> pl.DataFrame:
    return df.select([pl.col(h).cast(pl.String) for h in spec.headers])


def write_csv(df: pl.DataFrame, path: Path, spec: SystemSpec) -> dict[int, str]:
    """Returns {data row index: broken line text} for rows written with too few fields."""
    text = _text_frame(df, spec).write_csv(separator=spec.delimiter, include_header=True)
    broken = _broken_positions(df, "short_line")
    edited: dict[int, str] = {}
    if broken:
        lines = text.split("\n")
        for i in broken:
            fields = lines[i + 1].split(spec.delimiter)
            lines[i + 1] = spec.delimiter.join(fields[: max(1, len(fields) // 2)])
            edited[i] = lines[i + 1]
        text = "\n".join(lines)
    path.write_bytes(text.encode(spec.encoding or "utf-8"))
    return edited


def write_jsonl(df: pl.DataFrame, path: Path, spec: SystemSpec) -> dict[int, str]:
    buf = io.BytesIO()
    _text_frame(df, spec).write_ndjson(buf)
    text = buf.getvalue().decode("utf-8")
    broken = _broken_positions(df, "cut_line")
    edited: dict[int, str] = {}
    if broken:
        lines = text.split("\n")
        for i in broken:
            lines[i] = lines[i][: len(lines[i]) // 2]
            edited[i] = lines[i]
        text = "\n".join(lines)
    path.write_bytes(text.encode(spec.encoding or "utf-8"))
    return edited


def write_parquet(df: pl.DataFrame, path: Path, spec: SystemSpec) -> dict[int, str]:
    df.select(spec.headers).write_parquet(path, compression="zstd", statistics=True)
    return {}


def write_xlsx(df: pl.DataFrame, path: Path, spec: SystemSpec, date_styles: dict[str, str]) -> dict[int, str]:
    """Write with xlsxwriter (constant memory). In date columns, 5-digit numbers are written as Excel serials
    (with a date format for columns whose style is `xlsx_date`)."""
    frame = df.select(spec.headers)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": spec.department})
    ws = wb.add_worksheet(spec.sheet or spec.system)
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, spec.headers, bold)
    serial_cols = [(j, date_styles[h] == "xlsx_date") for j, h in enumerate(spec.headers) if h in date_styles]
    for r, row in enumerate(frame.iter_rows(), start=1):
        if serial_cols:
            row = list(row)
            for j, formatted in serial_cols:
                v = row[j]
                if isinstance(v, str) and len(v) == 5 and v.isdigit():
                    ws.write_number(r, j, int(v), date_fmt if formatted else None)
                    row[j] = None
        for j, v in enumerate(row):
            write_cell(ws, r, j, v, date_fmt)
    wb.close()
    return {}


def write_cell(ws, r: int, c: int, v: object, date_fmt) -> None:
    """One worksheet cell by the value's type: text as a string cell, numbers as numbers, dates with `date_fmt`;
    None leaves the cell empty."""
    if v is None:
        return
    if isinstance(v, str):
        ws.write_string(r, c, v)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v)
    elif isinstance(v, (date, datetime)):
        ws.write_datetime(r, c, v, date_fmt)
    else:
        ws.write(r, c, v)


def _broken_positions(df: pl.DataFrame, how: str) -> list[int]:
    mask = (df["_kind"] == "broken") & (df["_how"] == how)
    return np.flatnonzero(mask.fill_null(False).to_numpy()).tolist()
