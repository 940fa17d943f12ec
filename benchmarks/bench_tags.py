"""Benchmark: rebuild just the tag models (dim_person_profile -> fct_person_tag_current -> fct_person_tag) with dbt on
a copy of an already built thematic database; print seconds per model and the peak memory of the dbt process.

    .venv/bin/python benchmarks/bench_tags.py --database /tmp/city_1m/warehouse/shequyun.duckdb
    .venv/bin/python benchmarks/bench_tags.py --city /tmp/city_1m            # its warehouse/shequyun.duckdb, or built
    .venv/bin/python benchmarks/bench_tags.py --city data --full-refresh --tests

The database is copied into a temporary folder first (the original is never written). The tag models read marts
(dim_person, dim_house, bridge_person_house, fct_person_field_lineage, fct_person_source_records) and staging views
over the city's Delta lake, so the lake the database was built from must still be where it was. With --city and no
built database there, the models the tag models read are built first into the copy (timed apart, not in the figures).
The selection is `dim_person_profile+,+fct_person_tag` (every model between the two, both included) plus the
tag_catalogue seed, run as one `dbt build` (seconds = the whole dbt process, parse included; seconds per node from
run_results.json); fct_person_tag is incremental: by default it is updated as a daily run would, --full-refresh
rebuilds its history from scratch. dbt runs in a child process; its peak RSS comes from os.wait4 on that process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
TAG_MODELS = "dim_person_profile+,+fct_person_tag"
SEEDS = ["tag_catalogue"]


@dataclass(frozen=True)
class Step:
    """One dbt invocation: wall seconds, peak RSS of the dbt process and the per-node timings of run_results.json."""

    name: str
    ok: bool
    seconds: float
    peak_rss_mib: int
    nodes: list[dict]
    output: str


def run_dbt(name: str, args: list[str], env: dict[str, str], work: Path, project_dir: Path) -> Step:
    """Run `dbt <args>` in a child process with its own target/log paths; measure that process alone (os.wait4)."""
    target = work / f"target_{name}"
    out_path = work / f"{name}.out"
    dbt = str(Path(sys.executable).parent / "dbt")
    cmd = [dbt, *args, "--profiles-dir", ".", "--project-dir", ".", "--target-path", str(target),
           "--log-path", str(work / f"logs_{name}")]
    started = time.perf_counter()
    with out_path.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=project_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    results = target / "run_results.json"
    nodes = []
    if results.exists():
        for n in json.loads(results.read_text(encoding="utf-8"))["results"]:
            nodes.append({"node": n["unique_id"], "status": n["status"], "seconds": round(n.get("execution_time") or 0, 2)})
    return Step(name, proc.returncode == 0, round(seconds, 1), round(usage.ru_maxrss / 1024),
                nodes, out_path.read_text(encoding="utf-8", errors="replace"))


def resolve_inputs(database: Path | None, city: Path | None, data_dir: Path | None) -> tuple[Path | None, Path]:
    """(the built database to copy or None when it must be built, the data dir whose lake the staging views read)."""
    if database is not None:
        if not database.is_file():
            raise SystemExit(f"--database {database}: no such file")
        return database, data_dir or database.resolve().parent.parent
    assert city is not None
    if not (city / "lake" / "bronze").is_dir():
        raise SystemExit(f"--city {city}: no lake/bronze there (land the city first)")
    built = city / "warehouse" / "shequyun.duckdb"
    return (built if built.is_file() else None), city


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--database", type=Path, help="a built thematic database (DuckDB file) to copy")
    source.add_argument("--city", type=Path, help="a landed city (data dir); its warehouse/shequyun.duckdb if built")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="with --database: the data dir whose lake/ the database was built from "
                             "(default: the database's ../..)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild fct_person_tag's history from scratch")
    parser.add_argument("--tests", action="store_true", help="dbt build: also run the tag models' data tests")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--project-dir", type=Path, default=ROOT / "dbt_project", help="the dbt project (default: ours)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (copy, targets, logs)")
    args = parser.parse_args()

    from shequyun.core.duck import dbt_environment, dbt_vars_args

    database, data_dir = resolve_inputs(args.database, args.city, args.data_dir)
    work = Path(tempfile.mkdtemp(prefix="bench_tags_"))
    copy = work / "bench.duckdb"
    env = dbt_environment()
    common = ["--threads", str(args.threads), *dbt_vars_args(data_dir, copy)]
    figures: dict = {"data_dir": str(data_dir), "database": str(database) if database else None}
    try:
        if database is not None:
            started = time.perf_counter()
            shutil.copyfile(database, copy)
            figures["copy_seconds"] = round(time.perf_counter() - started, 1)
        else:
            # every model and seed the tag models read (no tests: only the tag models are measured)
            prepare = run_dbt("prepare", ["build", "--select", "+fct_person_tag", "--exclude", TAG_MODELS,
                                          "--resource-type", "model", "seed", *common], env, work, args.project_dir)
            figures["prepare"] = {"ok": prepare.ok, "seconds": prepare.seconds, "peak_rss_mib": prepare.peak_rss_mib}
            if not prepare.ok:
                print(prepare.output[-4000:], file=sys.stderr)
                raise SystemExit("building the models the tag models read failed")
        figures["database_mib"] = round(copy.stat().st_size / 2**20)
        # one dbt invocation (one parse of the project): the seed, the models, their tests with --tests
        kinds = ["seed", "model"] + (["test", "unit_test"] if args.tests else [])
        tag_args = ["build", "--select", *SEEDS, TAG_MODELS, "--resource-type", *kinds,
                    "--indirect-selection", "cautious", *common]
        tags = run_dbt("tags", tag_args + (["--full-refresh"] if args.full_refresh else []), env, work,
                       args.project_dir)
        if not tags.ok:
            print(tags.output[-4000:], file=sys.stderr)
        with duckdb.connect(str(copy), read_only=True) as con:
            counts = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
                      for t in ("dim_person_profile", "fct_person_tag_current", "fct_person_tag")}
        figures.update({
            "success": tags.ok,
            "mode": ("full refresh" if args.full_refresh else "incremental") + (" + tests" if args.tests else ""),
            "seconds": tags.seconds,
            "seconds_in_nodes": round(sum(n["seconds"] for n in tags.nodes), 1),
            "peak_rss_mib": tags.peak_rss_mib,
            "rows": counts,
            "models": [n for n in tags.nodes if not n["node"].startswith(("test.", "unit_test."))],
        })
        tests = [n for n in tags.nodes if n["node"].startswith(("test.", "unit_test."))]
        if tests:
            figures["tests"] = {"count": len(tests), "seconds": round(sum(n["seconds"] for n in tests), 1),
                                "not_passed": [n for n in tests if n["status"] != "pass"]}
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        if not figures["success"]:
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
