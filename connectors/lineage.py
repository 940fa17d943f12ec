"""Lineage columns and row hashes, computed vectorised (DuckDB over Arrow)."""

from __future__ import annotations

import hashlib

import duckdb
import pyarrow as pa

__all__ = ["NULL_MARKER", "UNIT_SEPARATOR", "hash_of_hashes", "row_hashes"]

UNIT_SEPARATOR = "\x1f"
NULL_MARKER = "\x1e"  # stands for a null value, so that null and "" hash differently


def row_hashes(table: pa.Table) -> pa.Array:
    """sha256 hex of each row's values in column order: values joined by U+001F, null as U+001E."""
    if table.num_rows == 0:
        return pa.array([], pa.string())
    if table.num_columns == 0:
        return pa.array([hashlib.sha256(b"").hexdigest()] * table.num_rows, pa.string())
    names = [f"c{i}" for i in range(table.num_columns)]
    renamed = pa.Table.from_arrays([c.cast(pa.string()) for c in table.columns], names=names)
    expr = "concat_ws(chr(31), " + ", ".join(f"coalesce({n}, chr(30))" for n in names) + ")"
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        con.register("t", renamed)
        out = con.sql(f"SELECT sha256({expr}) AS h FROM t").to_arrow_table()
    finally:
        con.close()
    return out.column(0).combine_chunks().cast(pa.string())


def hash_of_hashes(hashes: pa.Array) -> str:
    """sha256 of the concatenated row hashes: the checksum of a database batch."""
    digest = hashlib.sha256()
    if len(hashes):
        arr = hashes.cast(pa.string())
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        offsets = arr.buffers()[1]
        import numpy as np

        offs = np.frombuffer(offsets, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
        digest.update(memoryview(arr.buffers()[2])[int(offs[0]) : int(offs[-1])])
    return digest.hexdigest()
