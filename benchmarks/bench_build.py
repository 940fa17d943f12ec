"""Benchmark: build the thematic database (`dbt build`) on an already landed city; print seconds and peak memory.

    .venv/bin/python benchmarks/bench_city_ingest.py --city /tmp/city_1m     # generate + land first (or use --persons)
    .venv/bin/python benchmarks/bench_build.py --city /tmp/city_1m [--select staging intermediate]

dbt runs in a child process (as Dagster runs it) into a fresh DuckDB file; its peak RSS is measured from here.
The slowest nodes (from dbt's run_results.json) are printed too.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
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
    parser.add_argument("--project-dir", type=Path, default=ROOT / "dbt_project", help="the dbt project (default: ours)")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest nodes to print")
    parser.add_argument("--keep", type=Path, default=None,
                        help="move the built database here instead of deleting it (for bench_tags / bench_export)")
    args = parser.parse_args()

    from shequyun.core.duck import dbt_environment, dbt_vars_args, folded_tests_excluded

    work = Path(tempfile.mkdtemp(prefix="bench_build_"))
    out = work / "bench.duckdb"
    env = dbt_environment()
    dbt = str(Path(sys.executable).parent / "dbt")
    # person_match_model "": a whole build estimates its match model, whether or not the city stored one
    # the column tests folded into column_tests, as the platform's build runs them
    cmd = [dbt, "build", *dbt_vars_args(args.city, out, {"person_match_model": ""}), *folded_tests_excluded(), "--profiles-dir", ".", "--project-dir", ".", "--threads", str(args.threads), "--quiet",
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if args.select:
        cmd += ["--select", *args.select]
    started = time.perf_counter()
    proc = subprocess.run(cmd, check=False, cwd=args.project_dir, env=env, capture_output=True, text=True)
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
    results = work / "target" / "run_results.json"
    if results.exists():
        nodes = json.loads(results.read_text(encoding="utf-8"))["results"]
        slowest = sorted(nodes, key=lambda n: n.get("execution_time") or 0, reverse=True)[: args.top]
        figures["slowest"] = [{"node": n["unique_id"], "seconds": round(n.get("execution_time") or 0, 1)} for n in slowest]
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.keep and out.exists() and proc.returncode == 0:
        args.keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), args.keep)
        print(f"database kept at {args.keep}")
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
