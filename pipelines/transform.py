"""The thematic database: every dbt model is a Dagster asset (dagster-dbt); dbt tests are asset checks.

The build never writes the current database: it works on a private copy and swaps it in only when
`dbt build` succeeded (shequyun.core.warehouse), so analysts never see a half-built database and a failed build
leaves the last good one in place. Sources carry `meta.dagster.asset_key` = ["bronze", <system>], so the
bronze assets are the dbt models' upstream.

dbt gets every per-run value as `--vars` on its command line (shequyun.core.duck.dbt_vars): this process's
environment is never edited for it.
"""


import json
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetSpec, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from filelock import FileLock

from connectors.deployment import deployment_project_dir
from pipelines.resources import ShequyunResource
from shequyun.analyst.publish import prepare_analyst_database
from shequyun.core.diskspace import disk_full_message, is_disk_full
from shequyun.core.duck import (
    FOLDED_COLUMN_TESTS,
    dbt_vars_args,
    failed_column_tests,
    folded_tests_excluded,
    unfolded_column_tests,
)
from shequyun.core.lock import DataDirLocked, data_dir_lock
from shequyun.core.settings import Paths, lock_timeout
from shequyun.core.warehouse import current_database, warehouse_build
from shequyun.resolution.match_model import (
    MatchModelError,
    read_match_model,
    store_match_model,
)

DBT_RESOURCE_KEY = "dbt"
LEFT_IN_PLACE = "the last good thematic database is left in place"

# the shipped project, or for a deployment with its own connector YAMLs ($SHEQUYUN_SOURCES_DIR) the rendered copy
PROJECT_DIR = deployment_project_dir()
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv's bin/ need not be on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


def _project_files() -> Iterator[Path]:
    yield PROJECT_DIR / "dbt_project.yml"
    yield PROJECT_DIR / "profiles.yml"
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        yield from (p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file())


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than any project file; refuse a project with a
    column test no build would run (its model lacks `column_tests`: shequyun.core.duck.unfolded_column_tests)."""
    manifest = Path(dbt_project.manifest_path)
    newest = max((p.stat().st_mtime for p in _project_files()), default=0.0)
    if not (manifest.exists() and manifest.stat().st_mtime >= newest):
        manifest.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(manifest.parent / ".parse.lock")):  # parallel test workers parse once
            if not (manifest.exists() and manifest.stat().st_mtime >= newest):
                # parsing reads no data and opens no database: the vars only have to be present (a build passes
                # real ones)
                parse_only = manifest.parent / "parse-only"
                dbt_resource().cli(["parse", "--quiet", *dbt_vars_args(parse_only, parse_only / "parse.duckdb")],
                                   target_path=manifest.parent).wait()
    unfolded = unfolded_column_tests(json.loads(manifest.read_text(encoding="utf-8")))
    if unfolded:
        raise RuntimeError(f"{PROJECT_DIR}: {len(unfolded)} column test(s) whose model declares no column_tests test "
                           f"of their severity, so no build would run them (add `data_tests: [column_tests]` to the "
                           f"model, `{{column_tests: {{arguments: {{warnings: true}}, config: {{severity: warn}}}}}}` "
                           f"for severity warn): {'; '.join(unfolded[:10])}")
    return manifest


class ShequyunDbtTranslator(DagsterDbtTranslator):
    """Models keep their names as asset keys; the group is the layer folder (staging, intermediate, marts, reports)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") in {"model", "seed", "snapshot"}:
            parts = Path(str(dbt_resource_props.get("original_file_path", ""))).parts
            if parts and parts[0] == "seeds":
                return "reference"
            if parts and parts[0] == "snapshots":
                return "marts"
            if len(parts) > 1 and parts[0] == "models":
                return parts[1]
        return super().get_group_name(dbt_resource_props)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        """A model's asset key is its name (STYLE.md); sources keep meta.dagster.asset_key (the bronze keys)."""
        if dbt_resource_props.get("resource_type") in {"model", "seed", "snapshot"}:
            return AssetKey([str(dbt_resource_props["name"])])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_check_spec(self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str,
                             project: DbtProject | None) -> AssetCheckSpec | None:
        """No check of its own for a column test the build runs folded into its model's column_tests check."""
        metadata = manifest["nodes"].get(unique_id, {}).get("test_metadata") or {}
        if metadata.get("name") in FOLDED_COLUMN_TESTS:
            return None
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The YAML description (every model has one), not the SQL: the graph changes only when documented."""
        return str(dbt_resource_props.get("description") or dbt_resource_props.get("name") or "")


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=ShequyunDbtTranslator(),
    name="thematic_database",
)
def thematic_database(context: AssetExecutionContext, dbt: DbtCliResource, shequyun: ShequyunResource):
    """`dbt build` (seeds, models, snapshots, tests) into a copy of the thematic database, then an atomic swap."""
    paths = shequyun.paths()
    try:
        with data_dir_lock(paths, "build", timeout=lock_timeout()):   # one build (or ingest, export) per data dir
            yield from _build(context, dbt, paths)
    except DataDirLocked as exc:        # raised on entry only: nested acquisitions of this process are re-entrant
        raise Failure(description=str(exc)) from exc


def _build(context: AssetExecutionContext, dbt: DbtCliResource, paths: Paths):
    publication = None
    clock = {"start": time.perf_counter()}
    _check_match_model(paths)
    try:
        with warehouse_build(paths.warehouse) as build:
            clock["copy"] = time.perf_counter()
            # dbt's unit tests check the SQL, not the data: they run in the test suite (tests/dbt/test_unit_tests.py,
            # every one of them), not in every build (31 of them, about 45 s of node time on the demo city)
            # the column tests run folded, one column_tests test per model (dbt_project/tests/generic/column_tests.sql)
            invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test", *folded_tests_excluded(),
                                  *dbt_vars_args(paths.root, build)],
                                 context=context, raise_on_error=False)
            yield from invocation.stream()
            clock["dbt"] = time.perf_counter()
            if not invocation.is_successful():
                error = str(invocation.get_error())
                cause = disk_full_message(paths.warehouse) if is_disk_full(error) else "dbt build failed"
                failed = failed_column_tests(invocation.target_path / "run_results.json", build)
                if failed:
                    cause += f" (column tests failing: {', '.join(failed)})"
                raise Failure(description=f"{cause}; {LEFT_IN_PLACE}", metadata={"error": error})
            # the masked copy analysts read, written from the finished build before anything is swapped in
            publication = prepare_analyst_database(build, paths.root, warehouse=paths.warehouse)
            clock["analyst"] = time.perf_counter()
        publication.commit()
        clock["swap"] = time.perf_counter()
    except Failure:
        raise
    except Exception as exc:
        if publication is not None:     # written, but the swap of the thematic database failed: not left behind
            publication.discard()
        if not is_disk_full(exc):
            raise
        # the private copy, the dbt run, the analyst database or the swap's checkpoint found no room
        raise Failure(description=f"{disk_full_message(paths.warehouse)}; {LEFT_IN_PLACE}",
                      metadata={"error": f"{type(exc).__name__}: {exc}"}) from exc
    phases = ", ".join(f"{name} {clock[name] - clock[before]:.1f} s" for before, name in
                       (("start", "copy"), ("copy", "dbt"), ("dbt", "analyst"), ("analyst", "swap")))
    context.log.info(f"thematic database swapped in at {paths.warehouse}; {publication.render()}; "
                     f"build phases: {phases}")
    _store_match_model(context, paths)


def _check_match_model(paths: Paths) -> None:
    """A stored person match model that was altered or lost a file stops the build before dbt starts."""
    try:
        read_match_model(paths.person_match_model)
    except MatchModelError as exc:
        raise Failure(description=f"{exc}; {LEFT_IN_PLACE}") from exc


def _store_match_model(context: AssetExecutionContext, paths: Paths) -> None:
    """After the first successful build of a data directory: keep the match model it estimated for every later
    build. The database is already in place; a model that cannot be stored (no room) is estimated and stored again
    by the next build, so this warns instead of failing the build."""
    try:
        stored = store_match_model(current_database(paths.warehouse), paths.person_match_model)
    except (OSError, duckdb.Error) as exc:      # DuckDB's COPY reports a full disk as its own IOException
        context.log.warning(f"the person match model this build estimated was not stored ({exc}); the next build "
                            "estimates one again")
        return
    if stored is not None:
        context.log.info(f"stored the {stored.render()}; later builds score with it")

