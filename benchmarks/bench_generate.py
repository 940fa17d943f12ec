"""Benchmark: generate a synthetic city and print seconds, rows per second and peak memory.

    .venv/bin/python benchmarks/bench_generate.py --persons 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--out", type=Path, default=None, help="keep the city here (default: a temporary folder)")
    args = parser.parse_args()

    from shequyun_synth.generate import generate_city

    out = args.out or Path(tempfile.mkdtemp(prefix="bench_generate_"))
    started = time.perf_counter()
    manifest = generate_city(out, persons=args.persons, seed=args.seed, load_db=False, progress=False)
    seconds = time.perf_counter() - started
    rows = sum(manifest.get("rows", {}).values())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    figures = {
        "persons": args.persons,
        "seconds": round(seconds, 1),
        "persons_per_second": round(args.persons / seconds),
        "source_rows": rows,
        "source_rows_per_second": round(rows / seconds),
        "peak_rss_mib": round(peak_rss_mib()),
        "bytes_written_mib": round(size / 2**20),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
