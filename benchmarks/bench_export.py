"""Benchmark: export every ledger for every committee of an already built thematic database.

Prints seconds, packages, files, rows, bytes, CPU seconds and peak memory (this process and, separately, the largest
worker process: ledgers are written by a pool of processes).

    .venv/bin/python benchmarks/bench_export.py --database data/warehouse/shequyun.duckdb --out /tmp/outbox
    .venv/bin/python benchmarks/bench_export.py --database ... --out ... --workers 1 --format xlsx

Each ledger goes into the period of its own frequency (as `make demo` does); --period puts them all in one.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, required=True, help="a built thematic database (shequyun.duckdb)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one, removed)")
    parser.add_argument("--workers", type=int, default=None, help="writer processes (default: CPU count, at most 4)")
    parser.add_argument("--format", dest="formats", action="append", choices=["xlsx", "csv", "parquet"],
                        help="only this format (repeatable; default: all three)")
    parser.add_argument("--period", default=None, help="one period for every ledger (default: per frequency)")
    args = parser.parse_args()

    from exports.package import export_every_frequency, export_packages

    out = args.out or Path(tempfile.mkdtemp(prefix="bench_export_"))
    options = {"formats": args.formats, "workers": args.workers}
    started = time.perf_counter()
    if args.period:
        summary = export_packages(args.database, out, args.period, **options)
    else:
        summary = export_every_frequency(args.database, out, **options)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "database": str(args.database),
        "seconds": round(seconds, 1),
        "packages": len(summary.packages),
        "files": summary.files,
        "rows": summary.rows,
        "bytes": summary.bytes,
        "mib": round(summary.bytes / 2**20, 1),
        "ledgers": len(summary.ledgers),
        "periods": summary.period,
        "rows_per_second": round(summary.rows / seconds) if seconds else None,
        "files_per_second": round(summary.files / seconds, 1) if seconds else None,
        "cpu_seconds": round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1),
        "peak_rss_mib": round(own.ru_maxrss / 1024),
        "peak_rss_worker_mib": round(children.ru_maxrss / 1024),
        "unassigned_rows": summary.unassigned,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
