"""Benchmark: build the thematic database (`dbt build`) on an already landed city; print seconds and peak memory.

    .venv/bin/python benchmarks/bench_city_ingest.py --city /tmp/city_1m     # generate + land first (or use --persons)
    .venv/bin/python benchmarks/bench_build.py --city /tmp/city_1m [--select staging intermediate]

dbt runs in a child process (as Dagster runs it) into a fresh DuckDB file; its peak RSS is measured from here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", type=Path, required=True, help="a generated city whose lake/ is landed")
    parser.add_argument("--select", nargs="*", default=None, help="dbt selection (default: everything)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from shequyun.duck import dbt_environment

    out = Path(tempfile.mkdtemp(prefix="bench_build_")) / "bench.duckdb"
    env = {**os.environ, **dbt_environment(args.city), "SHEQUYUN_DUCKDB_PATH": str(out)}
    dbt = str(Path(sys.executable).parent / "dbt")
    cmd = [dbt, "build", "--profiles-dir", ".", "--project-dir", ".", "--threads", str(args.threads), "--quiet"]
    if args.select:
        cmd += ["--select", *args.select]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:])
    manifest = json.loads((args.city / "manifest.json").read_text(encoding="utf-8"))
    figures = {
        "persons": manifest.get("persons"),
        "select": args.select or "all",
        "success": proc.returncode == 0,
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "database_mib": round(out.stat().st_size / 2**20) if out.exists() else None,
    }
    print(json.dumps(figures, indent=2))
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
