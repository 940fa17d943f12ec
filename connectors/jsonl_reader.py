"""JSON lines reader: one object per line; values as strings (strings as written, numbers/booleans as
JSON text, nested values as JSON). Parsing runs in DuckDB over Arrow, not per line in Python.

Row numbers are line numbers from 1. A line that is not valid JSON, or not an object, is rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import REJECT_SCHEMA, RawBatch
from connectors.config import SourceConfig
from connectors.csv_reader import unique_header
from connectors.errors import SourceError
from connectors.text import decode_text

__all__ = ["JsonlReader"]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class JsonlReader:
    kind = "file"

    def read_file(self, cfg: SourceConfig, path: Path, *, source: str, display: str) -> RawBatch:
        data = path.read_bytes()
        if not data:
            raise SourceError(cfg.system, display, "the file is empty (0 bytes)")
        decoded = decode_text(data, cfg.encoding, system=cfg.system, display=display, yaml_name=cfg.config_file.name)
        del data
        bad_lines = decoded.bad_lines
        lines = pa.array(decoded.text.split("\n"), pa.string())
        numbers = pa.array(np.arange(1, len(lines) + 1, dtype=np.int64))
        non_blank = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)
        src = pa.table({"n": numbers, "line": lines}).filter(non_blank)
        del lines, decoded

        con = duckdb.connect()
        try:
            con.execute("SET threads TO 2")
            con.register("src", src)
            con.execute("CREATE TEMP TABLE parsed AS SELECT n, line, json_valid(line) AS ok FROM src")
            con.execute(
                "CREATE TEMP TABLE valid AS SELECT p.n, CAST(p.line AS JSON) AS j FROM parsed p WHERE ok"
            )
            con.execute("CREATE TEMP TABLE typed AS SELECT n, j, json_type(j) AS t FROM valid")
            rejects = con.sql(
                """
                SELECT n AS _row_number, 'line is not valid JSON' AS reason, NULL::VARCHAR AS field, line AS raw
                FROM parsed WHERE NOT ok
                UNION ALL
                SELECT t.n, 'JSON value is ' || lower(t.t) || ', not an object', NULL, CAST(t.j AS VARCHAR)
                FROM typed t WHERE t.t <> 'OBJECT'
                ORDER BY 1
                """
            ).to_arrow_table().cast(REJECT_SCHEMA)
            first_seen = con.sql(
                """
                WITH k AS (SELECT n, unnest(json_keys(j)) AS key, generate_subscripts(json_keys(j), 1) AS pos
                           FROM typed WHERE t = 'OBJECT')
                SELECT key, min(n * 100000 + pos) AS first FROM k GROUP BY key ORDER BY first
                """
            ).fetchall()
            keys = [k for k, _ in first_seen]
            warnings: list[str] = []
            header = unique_header(keys, warnings, display)
            if keys:
                spec = json.dumps({k: "VARCHAR" for k in keys}, ensure_ascii=False).replace("'", "''")
                cols = ", ".join(f"s.{_ident(k)} AS {_ident(h)}" for k, h in zip(keys, header))
                rows = con.sql(
                    f"SELECT n, {cols} FROM (SELECT n, from_json(j, '{spec}') AS s FROM typed "
                    "WHERE t = 'OBJECT') ORDER BY n"
                ).to_arrow_table()
            else:
                rows = con.sql("SELECT n FROM typed WHERE t = 'OBJECT' ORDER BY n").to_arrow_table()
        finally:
            con.close()
        row_numbers = rows.column(0).combine_chunks().cast(pa.int64())
        table = pa.Table.from_arrays([pc.cast(c, pa.string()) for c in rows.columns[1:]], names=header)
        if bad_lines:
            numbers_bad, raws = zip(*bad_lines)
            undecodable = pa.table(
                {
                    "_row_number": pa.array(numbers_bad, pa.int64()),
                    "reason": pa.array([f"line does not decode as {cfg.encoding}"] * len(raws), pa.string()),
                    "field": pa.nulls(len(raws), pa.string()),
                    "raw": pa.array(raws, pa.string()),
                },
                schema=REJECT_SCHEMA,
            )
            rejects = pa.concat_tables([rejects, undecodable]).sort_by("_row_number")
        return RawBatch(
            source=source,
            data=table,
            row_numbers=row_numbers,
            rejects=rejects,
            header=keys,
            warnings=warnings,
        )
