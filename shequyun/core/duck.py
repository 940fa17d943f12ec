"""DuckDB and dbt settings shared by the Dagster build, the CLI, tests and benchmarks.

dbt reads every per-run value from `--vars` on its command line, built here once (`dbt_vars`): the data
directory (bronze sources), the DuckDB file to build or read, the folder of the bundled DuckDB extensions, the
code version stamped into `build_info` and the data directory's stored person match model (empty when there is
none yet: that build estimates one). The profile and the sources name these vars without defaults, so a
dbt run that was not given them fails naming the missing var; nothing falls back to a `../data` folder.
The process environment is used only for switches that are the same for every run (telemetry off).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from collections.abc import Mapping
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from shequyun.core.settings import PROJECT_ROOT, Paths


def extension_directory() -> str:
    """The folder holding DuckDB extensions shipped as wheels (duckdb-ext-delta): `<site-packages>/duckdb_ext/extensions`."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the duckdb-ext-delta package is not installed: `pip install -e .` installs it")
    return str(Path(next(iter(spec.submodule_search_locations))) / "extensions")


@cache
def code_version() -> str:
    """The package version and, in a git checkout, the commit (with `+dirty` for uncommitted changes)."""
    try:
        release = version("shequyun")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        release = "0+unknown"
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return release
    return f"{release}+g{commit}{'.dirty' if dirty else ''}"


def stored_person_match_model(data_dir: str | os.PathLike[str]) -> Path | None:
    """The data directory's stored person match model folder, or None when no build has stored one yet (a model is
    stored whole or not at all: its folder appears by one rename, model.json inside it)."""
    folder = Paths(Path(data_dir).resolve()).person_match_model
    return folder if (folder / "model.json").is_file() else None


def dbt_vars(data_dir: str | os.PathLike[str], database: str | os.PathLike[str]) -> dict[str, str]:
    """The vars every dbt invocation gets: where bronze is, which DuckDB file dbt opens, where the extensions are,
    and the stored person match model to score with ("" when none is stored: the build estimates it)."""
    model = stored_person_match_model(data_dir)
    return {
        "data_dir": str(Path(data_dir).resolve()),
        "duckdb_path": str(Path(database).resolve()),
        "duckdb_extension_dir": extension_directory(),
        "code_version": code_version(),
        "person_match_model": str(model) if model else "",
    }


def dbt_vars_args(data_dir: str | os.PathLike[str], database: str | os.PathLike[str],
                  extra: Mapping[str, object] | None = None) -> list[str]:
    """`--vars <json>` for a dbt command line (dbt_vars, plus `extra` vars such as as_of for a test)."""
    return ["--vars", json.dumps({**dbt_vars(data_dir, database), **(extra or {})}, ensure_ascii=False)]


# dbt's column tests that a build runs folded into one `column_tests` test per model (dbt_project/tests/generic/
# column_tests.sql): excluded from the build's selection, not loaded as Dagster asset checks (pipelines.transform)
# (relationships tests stay dbt's own nodes: they read a second model, which column_tests could not wait for)
FOLDED_COLUMN_TESTS = ("not_null", "unique", "accepted_values")


def folded_tests_excluded() -> list[str]:
    """`--exclude` arguments that leave the folded column tests out of a `dbt build` (column_tests runs them)."""
    # one space-separated value, as dbt takes it (dagster-dbt reads --exclude as one value per flag)
    return ["--exclude", " ".join(f"test_name:{name}" for name in FOLDED_COLUMN_TESTS)]


def unfolded_column_tests(manifest: Mapping[str, object]) -> list[str]:
    """Column tests of a parsed dbt manifest that no build would run: their model declares no column_tests test of
    their severity (a model gained a column test in YAML without `data_tests: [column_tests]`), as
    `<model>: <test name>`. The build refuses to start with any (pipelines.transform.ensure_manifest)."""
    nodes = manifest["nodes"]
    tests = [n for n in nodes.values() if n["resource_type"] == "test" and n.get("attached_node")]
    folders = {(t["attached_node"], bool(t["test_metadata"]["kwargs"].get("warnings", False))) for t in tests
               if (t.get("test_metadata") or {}).get("name") == "column_tests"}
    return sorted(f"{nodes[t['attached_node']]['name']}: {t['name']}" for t in tests
                  if (t.get("test_metadata") or {}).get("name") in FOLDED_COLUMN_TESTS
                  and (t["attached_node"], str(t["config"]["severity"]).lower() == "warn") not in folders)


def failed_column_tests(run_results: Path, database: Path) -> list[str]:
    """The column tests behind each failed column_tests check of a dbt run, as `<test name> (<failing rows>)`: the
    check's compiled query, run again on the build's database, names them (dbt itself only counts them)."""
    if not run_results.is_file():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    failed = [r for r in results if r.get("status") == "fail" and r.get("compiled_code")
              and r["unique_id"].split(".")[-2].startswith("column_tests_")]
    if not failed:
        return []
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return [f"{name} ({count})" for r in failed for name, count in con.execute(r["compiled_code"]).fetchall()]


def dbt_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a dbt subprocess: `base` (default: this process's) with telemetry off."""
    return {**(os.environ if base is None else base), "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def main(argv: list[str] | None = None) -> int:
    """`python -m shequyun.core.duck [--data-dir DIR] [--database FILE]`: print the --vars JSON for running dbt by
    hand (database default: the data directory's current thematic database)."""
    import argparse

    from shequyun.core.settings import SettingMissing, resolve_paths

    parser = argparse.ArgumentParser(prog="python -m shequyun.core.duck", description=main.__doc__)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--database", default=None)
    args = parser.parse_args(argv)
    try:
        paths = resolve_paths(args.data_dir, args.database)
    except SettingMissing as exc:
        parser.error(str(exc))
    print(json.dumps(dbt_vars(paths.root, paths.database), ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
