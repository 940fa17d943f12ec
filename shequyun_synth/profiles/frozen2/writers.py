"""Render a frozen2 system's records as its headers, and write them in its format.

- render: each column from its field (`render:` text, code table, date style, address style; typed columns for Parquet
  and the databases); derived columns (document type) and row numbers (序号) are filled after the rows are final.
- writers: CSV (encoding, delimiter, BOM, trailing delimiters, line ends), xlsx (title rows merged over the columns,
  one- or two-row header with merged group cells, notes rows below the data), JSON lines, Parquet; the database systems
  are written as Parquet under db/ and loaded by shequyun load-db.

Each writer returns {row position: text} for the rows it wrote broken (short CSV line, JSON line cut in half).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from shequyun_synth.extracts.context import ETHNICITY_CODES, Context
from shequyun_synth.extracts.writers import write_cell
from shequyun_synth.profiles.frozen2.noise import DATE_STYLES_EXTRA
from shequyun_synth.profiles.frozen2.spec import Profile, System

FIXED_CREATED = datetime(2026, 11, 1, 8, 0, 0)
POLARS_TYPES = {"string": pl.String, "int": pl.Int64, "decimal": pl.Float64, "date": pl.Date, "datetime": pl.Datetime("us")}


def typed(system: System) -> bool:
    """Formats whose columns keep their declared type (`type:`); CSV holds text only."""
    return system.format != "csv"


def render(df: pl.DataFrame, system: System, ctx: Context, profile: Profile) -> pl.DataFrame:
    """The builder's rows with one column per header (text, or typed for Parquet / databases) plus the hidden columns
    the noise needs (`_street__h`, `_stale__h`, `_stale_house__h` for addresses, `_date__h` for text dates, `_clean__h`
    for the ID column a document type follows)."""
    out = df
    of_columns = {c.of for c in system.columns if c.derive}
    for col in system.columns:
        h = col.header
        if col.derive is not None:
            out = out.with_columns(pl.lit(None, pl.String).alias(h))
            continue
        kind, arg = col.render_kind, col.render_arg
        if kind == "address":
            out = ctx.address(out, col.field, arg, h, stale_from="prev_house_id" if col.stale else None)
            continue
        src = pl.col(col.field)
        if kind == "seq":
            expr = pl.lit(None, pl.Int64)
        elif kind == "code":
            table = ETHNICITY_CODES if arg == "ethnicity_gb3304" else profile.codes[arg]
            expr = src.cast(pl.String).replace_strict(table, default=None, return_dtype=pl.String)
        elif kind == "date":
            out = out.with_columns(src.cast(pl.Date).alias(f"_date__{h}"))
            expr = src.cast(pl.Date).dt.strftime(DATE_STYLES_EXTRA[arg])
        elif typed(system):
            expr = src.cast(POLARS_TYPES[col.type])
        else:
            expr = src.cast(pl.String)
        out = out.with_columns(expr.alias(h))
        if h in of_columns:
            out = out.with_columns(pl.col(h).alias(f"_clean__{h}"))
    return out


def document_types(df: pl.DataFrame, system: System, events: pl.DataFrame) -> pl.DataFrame:
    """Fill the derived document-type columns from the final ID value: the kind that replaced it (passport, travel
    permit), else the clean number's shape (81/82/83: 港澳台居民居住证)."""
    for col in system.columns:
        if col.derive != "document_type":
            continue
        swapped = events.filter((pl.col("field") == col.of) & pl.col("kind").is_in(["passport_instead_of_id",
                                                                                  "permit_instead_of_id"]))
        df = df.join(swapped.select("_rid", pl.col("kind").alias("_swap")), on="_rid", how="left", maintain_order="left")
        value, clean = pl.col(col.of).cast(pl.String), pl.col(f"_clean__{col.of}").cast(pl.String)
        kind = (pl.when(pl.col("_swap") == "passport_instead_of_id").then(pl.lit("passport"))
                .when((pl.col("_swap") == "permit_instead_of_id") & value.str.contains(r"^[HM]")).then(pl.lit("hk_macao_permit"))
                .when(pl.col("_swap") == "permit_instead_of_id").then(pl.lit("taiwan_permit"))
                .when(clean.str.contains(r"^8[123]0000")).then(pl.lit("hmt_residence_permit"))
                .when(clean.is_not_null()).then(pl.lit("resident_id")))
        df = df.with_columns(kind.replace_strict(col.values, default=None, return_dtype=pl.String).alias(col.header)
                             ).drop("_swap")
    return df


def number_rows(df: pl.DataFrame, system: System) -> pl.DataFrame:
    """序号: 1..n in file order, as the clerk numbered the rows (duplicates get their own number)."""
    for col in system.columns:
        if col.render_kind == "seq":
            df = df.with_columns(pl.int_range(1, df.height + 1, dtype=pl.Int64).alias(col.header))
    return df


def renumber_db(df: pl.DataFrame, system: System) -> pl.DataFrame:
    """Database copies (duplicates, broken rows) get new primary-key values after the last one."""
    pk = system.primary_key
    assert pk is not None
    is_copy = (df["_kind"] != "ok").to_numpy()
    if not is_copy.any():
        return df
    keys = df[pk].cast(pl.String).to_list()
    originals = [k for k, c in zip(keys, is_copy) if not c]
    prefix = originals[0].rstrip("0123456789") if originals else "R"
    width = max(len(k) - len(prefix) for k in originals) if originals else 10
    top = max(int(k[len(prefix):]) for k in originals) if originals else 0
    for n, pos in enumerate(np.flatnonzero(is_copy), start=1):
        keys[pos] = f"{prefix}{top + n * 7:0{width}d}"
    return df.with_columns(pl.Series(pk, keys, dtype=pl.String))


def _broken(df: pl.DataFrame, how: str) -> list[int]:
    return np.flatnonzero(((df["_kind"] == "broken") & (df["_how"] == how)).fill_null(False).to_numpy()).tolist()


def write_csv(df: pl.DataFrame, path: Path, system: System, **_: object) -> dict[int, str]:
    d, end = system.delimiter, system.line_terminator
    text = df.select(pl.col(h).cast(pl.String) for h in system.headers).write_csv(
        separator=d, line_terminator=end, quote_style="necessary", null_value="")
    lines = text[: -len(end)].split(end)
    edited: dict[int, str] = {}
    for i in _broken(df, "short_line"):
        fields = lines[i + 1].split(d)
        lines[i + 1] = d.join(fields[: max(1, len(fields) // 2)])
        edited[i] = lines[i + 1]
    if system.trailing_delimiter:
        lines = [line + d for line in lines]
    path.write_bytes((end.join(lines) + end).encode(system.encoding))
    return edited


def write_jsonl(df: pl.DataFrame, path: Path, system: System, **_: object) -> dict[int, str]:
    buf = io.BytesIO()
    df.select(system.headers).write_ndjson(buf)
    lines = buf.getvalue().decode("utf-8").rstrip("\n").split("\n")
    edited: dict[int, str] = {}
    for i in _broken(df, "cut_line"):
        lines[i] = lines[i][: len(lines[i]) // 2]
        edited[i] = lines[i]
    path.write_bytes(("\n".join(lines) + "\n").encode(system.encoding))
    return edited


def write_parquet(df: pl.DataFrame, path: Path, system: System, **_: object) -> dict[int, str]:
    df.select(system.headers).write_parquet(path, compression="zstd", statistics=True)
    return {}


def write_xlsx(df: pl.DataFrame, path: Path, system: System, texts: dict[str, str] | None = None) -> dict[int, str]:
    """Title rows merged over all columns, the header (two rows when columns have a group), the data from
    system.first_data_row, then (after an empty row when blank_before_notes) the notes rows."""
    texts = texts or {}
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": system.department_title, "title": system.title})
    ws = wb.add_worksheet(system.sheet or system.system)
    title_fmt = wb.add_format({"bold": True, "align": "center"})
    head_fmt = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    last = len(system.columns) - 1
    row = 0
    for title in system.title_rows:
        ws.merge_range(row, 0, row, last, title.format(**texts), title_fmt)
        row += 1
    if system.header_rows == 2:
        j = 0
        while j <= last:
            col = system.columns[j]
            if col.group is None:
                ws.merge_range(row, j, row + 1, j, col.header, head_fmt)
                j += 1
                continue
            k = j
            while k + 1 <= last and system.columns[k + 1].group == col.group:
                k += 1
            if k > j:
                ws.merge_range(row, j, row, k, col.group, head_fmt)
            else:
                ws.write_string(row, j, col.group, head_fmt)
            for c in range(j, k + 1):
                ws.write_string(row + 1, c, system.columns[c].header, head_fmt)
            j = k + 1
        row += 2
    else:
        for j, h in enumerate(system.headers):
            ws.write_string(row, j, h, head_fmt)
        row += 1
    assert row + 1 == system.first_data_row
    for values in df.select(system.headers).iter_rows():
        for j, v in enumerate(values):
            write_cell(ws, row, j, v, date_fmt)
        row += 1
    if system.blank_before_notes:
        row += 1
    for note in system.notes_rows:
        ws.write_string(row, 0, note.format(**texts))
        row += 1
    ws.set_column(0, last, 14)
    wb.close()
    return {}


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl, "parquet": write_parquet,
           "postgres": write_parquet, "mysql": write_parquet}
