"""Benchmark: land a whole generated city (every configured system, files and databases) into bronze.

    .venv/bin/python benchmarks/bench_city_ingest.py --persons 1000000            # generates into a temp folder
    .venv/bin/python benchmarks/bench_city_ingest.py --city /tmp/city_1m          # an already generated city

The database systems are loaded into PostgreSQL / MariaDB first (not timed: that is the departments' side).
The landing runs in a fresh process so its peak RSS is its own. Prints per-system rows and one JSON summary.
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


def _land(city: Path) -> None:
    """Child process: land every system, print one JSON line of figures."""
    from connectors.config import load_source_configs
    from connectors.landing import load_system
    from shequyun.core.settings import Paths

    paths = Paths(city)
    systems = {}
    started = time.perf_counter()
    for name, cfg in sorted(load_source_configs().items()):
        t = time.perf_counter()
        r = load_system(cfg, paths)
        systems[name] = {"read": r.rows_read, "landed": r.rows_landed, "quarantined": r.rows_quarantined,
                         "seconds": round(time.perf_counter() - t, 2), "failures": [str(f) for f in r.failures]}
    seconds = time.perf_counter() - started
    rows = sum(s["read"] for s in systems.values())
    print(json.dumps({"systems": systems, "rows_read": rows, "seconds": round(seconds, 1),
                      "rows_per_second": round(rows / seconds),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--city", type=Path, default=None, help="an already generated city (its lake/ is replaced)")
    parser.add_argument("--land-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.land_only:
        _land(args.land_only)
        return

    from shequyun.core.settings import mysql_dsn, pg_dsn
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    temp = args.city is None
    city = args.city or Path(tempfile.mkdtemp(prefix="bench_city_ingest_"))
    if temp:
        generate_city(city, persons=args.persons, seed=args.seed, progress=False)
    shutil.rmtree(city / "lake", ignore_errors=True)
    load_databases(city, pg_dsn(), mysql_dsn())
    out = subprocess.run([sys.executable, __file__, "--land-only", str(city)], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    for name, s in figures["systems"].items():
        ok = "ok" if s["read"] == s["landed"] + s["quarantined"] else "MISMATCH"
        print(f"{name:<22} read {s['read']:>10,} landed {s['landed']:>10,} quarantined {s['quarantined']:>7,} "
              f"{s['seconds']:>7.1f} s {ok}")
    summary = {k: v for k, v in figures.items() if k != "systems"}
    print(json.dumps({"persons": args.persons if temp else json.loads((city / "manifest.json").read_text())["persons"],
                      **summary}, indent=2))
    if temp:
        shutil.rmtree(city, ignore_errors=True)


if __name__ == "__main__":
    main()
