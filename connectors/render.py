"""Render typed columns (Parquet, databases) as strings, vectorised with polars.

dates `YYYY-MM-DD`; timestamps `YYYY-MM-DD HH:MM:SS[.fff]` (ISO 8601 with a space, as PostgreSQL prints
them; time zone as `+HH:MM` when the column has one); numbers as polars prints them; booleans
`true`/`false`; nested values as JSON; binary as text when every value is valid UTF-8 (strings written without the
String annotation, as Hive and Impala do), else as hex. Nulls stay null.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

__all__ = ["to_string_table"]


def _expr(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if dtype == pl.Date:
        return col.dt.to_string("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        fmt = "%Y-%m-%d %H:%M:%S%.f" + ("%:z" if dtype.time_zone else "")
        return col.dt.to_string(fmt)
    if dtype == pl.Time:
        return col.dt.to_string("%H:%M:%S%.f")
    if dtype == pl.Boolean:
        return pl.when(col.is_null()).then(None).when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
    if dtype == pl.Binary:
        return col.bin.encode("hex")
    if isinstance(dtype, (pl.List, pl.Array, pl.Struct)):
        return pl.when(col.is_null()).then(None).otherwise(
            pl.struct(col.alias("v")).struct.json_encode().str.slice(5).str.head(-1)
        )
    return col.cast(pl.String)


def to_string_table(table: pa.Table) -> pa.Table:
    """Every column as pa.string(), column names and order unchanged."""
    if table.num_columns == 0:
        return table
    names = table.column_names
    columns = []
    for column in table.columns:
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            try:
                column = column.cast(pa.string())       # Arrow validates the UTF-8: text stays text
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass                                    # real bytes: hex below
        columns.append(column)
    table = pa.Table.from_arrays(columns, names=names)
    tmp = [f"c{i}" for i in range(len(names))]  # polars needs unique names; Arrow allows duplicates
    df = pl.from_arrow(table.rename_columns(tmp))
    assert isinstance(df, pl.DataFrame)
    out = df.select([_expr(n, df.schema[n]).alias(n) for n in tmp]).to_arrow()
    return pa.Table.from_arrays([c.cast(pa.string()) for c in out.columns], names=names)
