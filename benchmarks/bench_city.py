"""Benchmark: one city end to end, stage by stage (issue 10): ingest, build, policies, exports, with a baseline.

    make bench-city PERSONS=1000000                      # generates into benchmarks/.cities/<persons>-<seed>
    .venv/bin/python benchmarks/bench_city.py --persons 20000 --city /tmp/city_20k [--keep-city]

Generation and loading the two department databases are the departments' side and are not timed. Then every stage
runs in its own child process, as a data bureau runs it:

    ingest     `shequyun ingest` (every configured system: files and PostgreSQL / MariaDB tables into Delta bronze)
    baseline   bare DuckDB reading the same bronze rows (delta_scan) and hashing every row: the floor any stage
               that reads the lake stands on; every stage is also reported as a ratio to it
    build      `pipelines.run.run_transform`: the Dagster transform job (dbt build with every dbt test, the asset
               checks, the analyst database), swapped in on success; split by dbt node group from run_results.json
               (staging / person resolution / house resolution / marts / tags / ledgers / tests)
    policies   every catalogued policy matched and written with one list per committee
    exports    `shequyun export`: every ledger for every committee in every format into the outbox

Per stage: wall seconds, CPU seconds, peak RSS of the child and its own children (os.wait4), and peak bytes
spilled by DuckDB (its temporary directories under warehouse/, sampled every half second). Figures go to
benchmarks/results/<date>-<persons>.json (--results to change) and to a printed table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STAGES = ("ingest", "baseline", "build", "policies", "exports")

# dbt nodes by what they are for (the first matching prefix of the node's model name wins)
NODE_GROUPS = (
    ("test.", "dbt tests"),
    ("unit_test.", "dbt tests"),
    ("seed.", "seeds"),
    ("model.shequyun.stg_", "staging"),
    ("model.shequyun.int_person_", "person resolution"),
    ("model.shequyun.int_house", "house resolution"),
    ("model.shequyun.int_address", "house resolution"),
    ("model.shequyun.fct_person_tag", "tags"),
    ("model.shequyun.dim_person_profile", "tags"),
    ("model.shequyun.rpt_", "ledgers"),
    ("snapshot.", "snapshots"),
    ("model.", "marts"),
)


def node_group(unique_id: str) -> str:
    return next((group for prefix, group in NODE_GROUPS if unique_id.startswith(prefix)), "other")


class SpillSampler(threading.Thread):
    """Peak bytes in DuckDB's temporary directories (`<database>.tmp`, or `.tmp` folders) under `folder`."""

    def __init__(self, folder: Path, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.folder, self.every, self.peak = folder, every, 0
        self._done = threading.Event()

    def _spilled(self) -> int:
        total = 0
        if not self.folder.exists():
            return 0
        for entry in self.folder.iterdir():
            if entry.is_dir() and entry.name.endswith(".tmp"):
                for path in entry.rglob("*"):
                    try:
                        total += path.stat().st_size if path.is_file() else 0
                    except FileNotFoundError:
                        pass
        return total

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, self._spilled())
            self._done.wait(self.every)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def run_stage(name: str, cmd: list[str], city: Path, env: dict[str, str], log_dir: Path) -> dict[str, object]:
    """Run one stage's child process; its seconds, CPU and peak RSS (it and its children, from os.wait4) and the
    peak bytes DuckDB spilled meanwhile."""
    sampler = SpillSampler(city / "warehouse")
    sampler.start()
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    started = time.perf_counter()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    spilled = sampler.stop()
    figures: dict[str, object] = {
        "seconds": round(seconds, 1), "exit": proc.returncode,
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024), "peak_spill_mib": round(spilled / 2**20),
    }
    text = out_path.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        print(f"{name} failed (exit {proc.returncode}), see {out_path} and {err_path}:\n{text[-3000:]}\n"
              f"{err_path.read_text(encoding='utf-8', errors='replace')[-3000:]}", file=sys.stderr)
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if lines:
        figures.update(json.loads(lines[-1]))
    return figures


def _emit(figures: dict[str, object]) -> None:
    print(json.dumps(figures, ensure_ascii=False))


# ---- the child stages --------------------------------------------------------------------------------------------

def stage_baseline(city: Path) -> None:
    """Read every bronze table with DuckDB and hash every row (the lake scan any model pays at least once)."""
    import duckdb

    from shequyun.core.duck import extension_directory

    con = duckdb.connect(config={"extension_directory": extension_directory(), "autoinstall_known_extensions": False,
                                 "memory_limit": os.environ.get("SHEQUYUN_DUCKDB_MEMORY_LIMIT", "4GB")})
    rows = 0
    for table in sorted((city / "lake" / "bronze").iterdir()):
        n, _ = con.execute(f"select count(*), sum(hash(t)) from delta_scan('{table}') as t").fetchone()  # type: ignore[misc]
        rows += n
    _emit({"rows": rows, "tables": len(list((city / "lake" / "bronze").iterdir()))})


def stage_build(city: Path) -> None:
    from pipelines.run import run_transform

    summary = run_transform(city)
    groups: dict[str, float] = {}
    slowest: list[dict[str, object]] = []
    results = _latest_run_results(city)
    dbt_seconds = None
    if results is not None:
        run_results = json.loads(results.read_text(encoding="utf-8"))
        dbt_seconds = round(run_results.get("elapsed_time") or 0.0, 1)
        nodes = run_results["results"]
        for node in nodes:
            group = node_group(node["unique_id"])
            groups[group] = round(groups.get(group, 0.0) + (node.get("execution_time") or 0.0), 1)
        slowest = [{"node": n["unique_id"], "seconds": round(n.get("execution_time") or 0, 1)}
                   for n in sorted(nodes, key=lambda n: n.get("execution_time") or 0, reverse=True)[:10]]
    # the Dagster steps' wall seconds, and dbt's own within the thematic_database step: the rest of that step is
    # the analyst database, the checkpoint and the swap, and Dagster's handling of dbt's events
    _emit({"success": summary.success, "errors": summary.errors[:5], "step_seconds": summary.step_seconds,
           "dbt_seconds": dbt_seconds, "node_seconds_by_group": groups,
           "slowest_nodes": slowest,
           "database_mib": round(Path(summary.database).stat().st_size / 2**20) if summary.database else None})


def _latest_run_results(city: Path) -> Path | None:
    """dbt's run_results.json of the build just run on this city (dagster-dbt writes one target folder per run;
    the city is the data_dir var of the invocation)."""
    import yaml

    def built_here(path: Path) -> bool:
        try:
            chosen = json.loads(path.read_text(encoding="utf-8")).get("args", {}).get("vars") or {}
            chosen = yaml.safe_load(chosen) if isinstance(chosen, str) else chosen
        except (OSError, ValueError, yaml.YAMLError):
            return False
        return Path(str(chosen.get("data_dir", ""))).resolve() == city.resolve()

    candidates = [p for p in (ROOT / "dbt_project" / "target").rglob("run_results.json") if built_here(p)]
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def stage_policies(city: Path) -> None:
    from shequyun.core.settings import Paths
    from shequyun.core.warehouse import current_database
    from shequyun.policy.catalogue import CATALOGUE_DIR, TagIndex, load_policies
    from shequyun.policy.match import match
    from shequyun.policy.output import default_out_dir, write_match
    from shequyun.tags.catalogue import load_catalogue

    paths = Paths(city)
    tags = TagIndex(load_catalogue())
    names = {code: tag.name for code, tag in tags.by_code.items()}
    database = current_database(paths.warehouse)
    eligible = 0
    policies = load_policies(CATALOGUE_DIR, tags)
    for policy in policies:
        result = match(database, policy.condition, policy=policy, tag_names=names, label=policy.code)
        write_match(result, default_out_dir(paths.policies, policy.code, result.as_of), split_committees=True)
        eligible += result.total
    _emit({"policies": len(policies), "eligible": eligible})


def stage_exports(city: Path) -> None:
    from exports.package import export_every_frequency
    from shequyun.core.settings import Paths
    from shequyun.core.warehouse import current_database

    paths = Paths(city)
    summary = export_every_frequency(current_database(paths.warehouse), paths.outbox.resolve(),
                                     outbox=paths.outbox.resolve())
    _emit({"packages": len(summary.packages), "files": summary.files, "rows": summary.rows,
           "mib": round(summary.bytes / 2**20, 1)})


CHILD_STAGES = {"baseline": stage_baseline, "build": stage_build, "policies": stage_policies,
                "exports": stage_exports}


# ---- the parent --------------------------------------------------------------------------------------------------

def prepare_city(city: Path, persons: int, seed: int) -> None:
    """Generate (unless already there) and load the department databases; start from an empty lake and warehouse."""
    from shequyun.core.settings import mysql_dsn, pg_dsn
    from shequyun_synth.dbload import load_databases
    from shequyun_synth.generate import generate_city

    manifest = city / "manifest.json"
    if manifest.exists():
        made = json.loads(manifest.read_text(encoding="utf-8"))
        if made.get("persons") != persons or made.get("seed") != seed:
            raise SystemExit(f"{city} holds a city of {made.get('persons')} persons (seed {made.get('seed')}), "
                             f"not {persons} (seed {seed}): give another --city")
    else:
        print(f"generating {persons:,} persons (seed {seed}) into {city} (not timed)", flush=True)
        generate_city(city, persons=persons, seed=seed, load_db=False, progress=False)
    for folder in ("lake", "warehouse", "outbox", "policies", "models"):   # models: the build estimates its match model
        shutil.rmtree(city / folder, ignore_errors=True)
    print("loading the department databases (not timed)", flush=True)
    load_databases(city, pg_dsn(), mysql_dsn())


def render_table(figures: dict[str, dict[str, object]]) -> str:
    base = float(figures.get("baseline", {}).get("seconds") or 0) or None
    lines = [f"{'stage':<10} {'seconds':>9} {'x scan':>7} {'cpu s':>8} {'peak RSS MiB':>13} {'spill MiB':>10}  ok"]
    for name, f in figures.items():
        ratio = f"{float(f['seconds']) / base:.1f}" if base else "-"
        lines.append(f"{name:<10} {f['seconds']:>9} {ratio:>7} {f.get('cpu_seconds', '-'):>8} "
                     f"{f.get('peak_rss_mib', '-'):>13} {f.get('peak_spill_mib', '-'):>10}  "
                     f"{'ok' if f.get('exit') == 0 and f.get('success', True) else 'FAILED'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--city", type=Path, default=None,
                        help="the city's data directory (default: benchmarks/.cities/<persons>-<seed>); a city "
                             "already generated there is reused, its lake, warehouse and outbox are rebuilt")
    parser.add_argument("--stages", nargs="*", choices=STAGES, default=list(STAGES))
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results",
                        help="folder for <date>-<persons>.json")
    parser.add_argument("--child", choices=sorted(CHILD_STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    city = (args.city or ROOT / "benchmarks" / ".cities" / f"{args.persons}-{args.seed}").resolve()
    if args.child:
        CHILD_STAGES[args.child](city)
        return
    if args.prepare:
        prepare_city(city, args.persons, args.seed)
        return

    from shequyun.core.duck import code_version

    if "ingest" in args.stages:
        # in a child of its own: Linux carries a process's peak RSS over into the children it forks and execs
        # (ru_maxrss), so a city generated in this process would set every stage's peak to the generator's
        subprocess.run([sys.executable, __file__, "--prepare", "--city", str(city), "--persons", str(args.persons),
                        "--seed", str(args.seed)], check=True)
    env = {**os.environ, "SHEQUYUN_DATA_DIR": str(city), "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "False",
           "DAGSTER_HOME": os.environ.get("DAGSTER_HOME", str(ROOT / ".dagster_home"))}
    commands = {
        "ingest": [str(BIN / "shequyun"), "ingest", "--no-progress", "--data-dir", str(city)],
        **{name: [sys.executable, __file__, "--child", name, "--city", str(city), "--persons", str(args.persons),
                  "--seed", str(args.seed)] for name in CHILD_STAGES},
    }
    log_dir = city / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    for name in args.stages:
        print(f"{name} ...", flush=True)
        figures[name] = run_stage(name, commands[name], city, env, log_dir)
        print(f"  {figures[name]['seconds']} s", flush=True)
    source_rows = figures.get("baseline", {}).get("rows")
    result = {
        "code_version": code_version(),
        "persons": args.persons, "seed": args.seed, "source_rows": source_rows,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                                                 / 2**30, 1), "python": platform.python_version()},
        "duckdb_memory_limit": os.environ.get("SHEQUYUN_DUCKDB_MEMORY_LIMIT", "4GB"),
        "seconds_total": round(time.perf_counter() - started, 1),
        "stages": figures,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{dt.date.today().isoformat()}-{args.persons}.json"
    again = 2
    while out.exists():             # a second run on the same day does not overwrite the first
        out, again = args.results / f"{dt.date.today().isoformat()}-{args.persons}-{again}.json", again + 1
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(render_table(figures))
    if "build" in figures:
        groups = figures["build"].get("node_seconds_by_group") or {}
        print("build, dbt node seconds by group: " + ", ".join(f"{k} {v}" for k, v in
                                                               sorted(groups.items(), key=lambda kv: -kv[1])))
        steps = figures["build"].get("step_seconds") or {}
        print("build, Dagster steps: " + ", ".join(f"{k} {v} s" for k, v in steps.items())
              + f" (dbt's own run: {figures['build'].get('dbt_seconds')} s)")
    print(f"written to {out}")
    if any(f.get("exit") != 0 for f in figures.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
