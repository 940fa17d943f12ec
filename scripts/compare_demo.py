"""Compare two demo runs' outputs: is a refactoring behaviour-preserving?

    .venv/bin/python scripts/compare_demo.py BEFORE_DATA_DIR AFTER_DATA_DIR [--ignore-table marts.build_info]

* thematic database (dbt snapshot bookkeeping columns aside): every table of BEFORE's warehouse/shequyun.duckdb is compared with the same table in AFTER's
  (`except all` both ways: same rows, same multiplicities) on BEFORE's columns, matched by name; new tables and
  new columns of AFTER are listed, tables or columns only in BEFORE fail;
* outbox: every package manifest.json is compared with AFTER's, apart from timestamps (generated_at,
  database_built_at, *_at fields) and the checksums of xlsx files (their title rows hold the generation time);
  csv and parquet files byte for byte (a file with the same rows in another order is listed, not failed: before the
  export's order was total, rows tied on a ledger's declared order came out in any order);
* the delivery log and other files are listed when present in one run only.

Exit 0 when identical, 1 with the differences listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

TIMESTAMP_KEYS = {"generated_at", "database_built_at", "built_at", "exported_at", "delivered_at"}
# dbt snapshot bookkeeping: when the snapshot ran (dbt_scd_id hashes the key with that time)
SNAPSHOT_COLUMNS = {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}


def _tables(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select schema_name, table_name, list(column_name order by column_index) from duckdb_columns() "
        "where database_name = ? and not internal group by all", [alias]).fetchall()
    return {f"{s}.{t}": cols for s, t, cols in rows}


def compare_databases(before: Path, after: Path, ignore: set[str]) -> list[str]:
    problems: list[str] = []
    con = duckdb.connect()
    con.execute(f"attach '{before}' as b (read_only)")
    con.execute(f"attach '{after}' as a (read_only)")
    tb, ta = _tables(con, "b"), _tables(con, "a")
    for name in sorted(set(tb) - set(ta)):
        problems.append(f"table {name}: only before")
    for name in sorted(set(ta) - set(tb)):
        print(f"  new table {name} (only after)")
    compared = 0
    new_columns: list[str] = []
    for name in sorted(set(tb) & set(ta)):
        if name in ignore:
            continue
        gone, added = sorted(set(tb[name]) - set(ta[name])), sorted(set(ta[name]) - set(tb[name]))
        if gone:
            problems.append(f"table {name}: columns only before: {gone}")
            continue
        if added:
            new_columns.append(f"{name} +{added}")
        cols = ", ".join(f'"{c}"' for c in tb[name] if c not in SNAPSHOT_COLUMNS)
        schema, table = name.split(".", 1)
        q = f'select {cols} from {{db}}."{schema}"."{table}"'
        missing = con.execute(f"select count(*) from ({q.format(db='b')} except all {q.format(db='a')})").fetchone()[0]
        extra = con.execute(f"select count(*) from ({q.format(db='a')} except all {q.format(db='b')})").fetchone()[0]
        rows = con.execute(f"select count(*) from ({q.format(db='b')})").fetchone()[0]
        compared += 1
        if missing or extra:
            problems.append(f"table {name}: {missing} rows only before, {extra} rows only after (of {rows})")
    print(f"  {compared} tables compared with except all both ways (on the columns before had)")
    for line in new_columns:
        print(f"  new columns: {line}")
    return problems


def _strip(value: object, reordered: frozenset[str] = frozenset()) -> object:
    if isinstance(value, dict):
        # an xlsx file's title rows carry its generation time, so its bytes and checksum differ run to run; a csv
        # with its rows in another order (listed) has another checksum too
        volatile = TIMESTAMP_KEYS | ({"sha256", "bytes"} if value.get("format") == "xlsx" or value.get("file") in reordered
                                     else set())
        return {k: _strip(v, reordered) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [_strip(v, reordered) for v in value]
    return value


def compare_outboxes(before: Path, after: Path) -> list[str]:
    problems: list[str] = []
    mb = {p.relative_to(before): p for p in before.rglob("manifest.json")}
    ma = {p.relative_to(after): p for p in after.rglob("manifest.json")}
    for rel in sorted(set(mb) ^ set(ma)):
        problems.append(f"package {rel.parent}: only {'before' if rel in mb else 'after'}")
    files = 0
    reordered: list[str] = []
    for rel in sorted(set(mb) & set(ma)):
        moved: set[str] = set()
        for path in mb[rel].parent.iterdir():
            if path.suffix in (".csv", ".parquet"):
                other = ma[rel].parent / path.name
                files += 1
                if not other.exists():
                    problems.append(f"{rel.parent / path.name}: missing after")
                elif path.read_bytes() != other.read_bytes():
                    same_rows = _same_lines if path.suffix == ".csv" else _same_parquet
                    if same_rows(path, other):
                        moved.add(path.name)
                        reordered.append(str(rel.parent / path.name))
                    else:
                        problems.append(f"{rel.parent / path.name}: rows differ")
        b = json.loads(mb[rel].read_text(encoding="utf-8"))
        a = json.loads(ma[rel].read_text(encoding="utf-8"))
        if _strip(b, frozenset(moved)) != _strip(a, frozenset(moved)):
            problems.append(f"package {rel.parent}: manifests differ apart from timestamps")
    print(f"  {len(set(mb) & set(ma))} packages compared (manifests without timestamps), {files} csv/parquet files")
    for name in reordered:
        print(f"  same rows, other order: {name}")
    return problems


def _same_lines(a: Path, b: Path) -> bool:
    """The same header and the same rows, in another order (rows that tie on a ledger's declared order)."""
    la, lb = a.read_bytes().splitlines(), b.read_bytes().splitlines()
    return la[:1] == lb[:1] and sorted(la[1:]) == sorted(lb[1:])


def _same_parquet(a: Path, b: Path) -> bool:
    con = duckdb.connect()
    q = "select count(*) from (select * from read_parquet('{}') except all select * from read_parquet('{}'))"
    return con.execute(q.format(a, b)).fetchone()[0] == 0 and con.execute(q.format(b, a)).fetchone()[0] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore-table", action="append", default=[], help="schema.table not to compare")
    args = parser.parse_args()
    print("thematic database")
    problems = compare_databases(args.before / "warehouse" / "shequyun.duckdb", args.after / "warehouse" / "shequyun.duckdb",
                                 set(args.ignore_table))
    print("outbox")
    problems += compare_outboxes(args.before / "outbox", args.after / "outbox")
    for p in problems:
        print(f"DIFFERENT {p}")
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
