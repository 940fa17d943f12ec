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
from connectors.text import decode_text, line_spans

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
        bad_lines, decode_warnings = decoded.bad_lines, decoded.warnings
        utf8 = decoded.text.encode("utf-8")
        del decoded
        # one Arrow string per line, zero-copy over the UTF-8 bytes (each line keeps its "\n")
        starts, _ends, nonblank = line_spans(utf8)
        offsets = np.append(starts, len(utf8)).astype(np.int64)
        lines = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(utf8))
        numbers = pa.array(np.arange(1, len(starts) + 1, dtype=np.int64))
        src = pa.table({"n": numbers, "line": lines, "keep": pa.array(nonblank)})
        del lines
        con = duckdb.connect()
        try:
            con.execute("SET threads TO 2")
            con.register("src", src)
            # each JSON function parses the text again: three parses in all (valid, keys, values)
            con.execute(
                "CREATE TEMP TABLE parsed AS SELECT n, line, json_valid(line) AS ok, "
                "starts_with(ltrim(line), '{') AS is_object FROM src WHERE keep"
            )
            # an object naming a key twice: which value is meant is unknown, so the line is not landed
            con.execute(
                "CREATE TEMP TABLE repeated AS SELECT n, list_filter(list_distinct(k), x -> len(list_filter(k, "
                "y -> y = x)) > 1) AS twice FROM (SELECT n, json_keys(line) AS k FROM parsed WHERE ok AND is_object) "
                "WHERE len(k) <> len(list_distinct(k))"
            )
            rejects = con.sql(
                """
                SELECT n AS _row_number,
                       CASE WHEN NOT ok THEN 'line is not valid JSON'
                            ELSE 'JSON value is ' || lower(json_type(line)) || ', not an object' END AS reason,
                       NULL::VARCHAR AS field, rtrim(line, chr(13) || chr(10)) AS raw
                FROM parsed WHERE NOT (ok AND is_object)
                UNION ALL
                SELECT p.n, 'JSON key ' || list_aggregate(list_transform(r.twice, x -> chr(39) || x || chr(39)), 'string_agg', ', ')
                       || ' given more than once in the object: which value is meant is unknown',
                       r.twice[1], rtrim(p.line, chr(13) || chr(10))
                FROM parsed p JOIN repeated r USING (n)
                ORDER BY 1
                """
            ).to_arrow_table().cast(REJECT_SCHEMA)
            con.execute("CREATE TEMP TABLE objects AS SELECT n, line FROM parsed WHERE ok AND is_object "
                        "AND n NOT IN (SELECT n FROM repeated)")
            key_sets = con.sql(
                "SELECT json_keys(line) AS k, min(n) AS first FROM objects GROUP BY k ORDER BY first"
            ).fetchall()
            keys = list(dict.fromkeys(k for key_set, _ in key_sets for k in key_set))
            warnings: list[str] = []
            header = unique_header(keys, warnings, display)
            if keys:
                spec = json.dumps({k: "VARCHAR" for k in keys}, ensure_ascii=False).replace("'", "''")
                cols = ", ".join(f"s.{_ident(k)} AS {_ident(h)}" for k, h in zip(keys, header))
                rows = con.sql(
                    f"SELECT n, {cols} FROM (SELECT n, from_json(line, '{spec}') AS s FROM objects) ORDER BY n"
                ).to_arrow_table()
            else:
                rows = con.sql("SELECT n FROM objects ORDER BY n").to_arrow_table()
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
            warnings=decode_warnings + warnings,
        )
