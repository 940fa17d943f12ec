"""Run the ingest job in process and summarise it per system (`shequyun run`, `make demo`)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dagster import AssetCheckSeverity, AssetKey, DagsterEventType, DagsterInstance

from pipelines.ingest import BRONZE_PREFIX, bronze_key


@dataclass
class SystemSummary:
    system: str
    status: str  # landed | no_new_data | skipped | failed | not_run
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    rows_redelivered: int = 0  # rows an earlier delivery had landed: not landed again
    checks_passed: int = 0
    checks_failed: int = 0  # of which ...
    checks_failed_error: int = 0  # ... with severity ERROR (structural)
    failed_checks: list[str] = field(default_factory=list)
    message: str = ""
    degraded: bool = False  # failed, and the build goes on with the system's last good bronze data

    @property
    def ok(self) -> bool:
        return self.status in {"landed", "no_new_data", "skipped"}


@dataclass
class IngestSummary:
    run_id: str
    systems: list[SystemSummary]
    seconds: float = 0.0
    # configured systems that land but feed nothing downstream (connectors.contributions)
    dead_ends: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """Every system landed, had nothing new, or was skipped for want of a database server."""
        return all(s.ok for s in self.systems)

    @property
    def buildable(self) -> bool:
        """The thematic database can be built: every system is ok or failed with its last good data kept
        (degraded, $SHEQUYUN_ON_SYSTEM_FAILURE=degrade)."""
        return all(s.ok or s.degraded for s in self.systems)

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "success": self.success, "seconds": round(self.seconds, 3),
                "systems": [asdict(s) for s in self.systems]}

    def system(self, name: str) -> SystemSummary:
        for s in self.systems:
            if s.system == name:
                return s
        raise KeyError(name)

    def render(self) -> str:
        header = f"{'system':<22} {'status':<12} {'read':>10} {'landed':>10} {'quarant.':>9} {'checks ok':>9} {'failed':>6}"
        lines = [header, "-" * len(header)]
        for s in self.systems:
            failed = f"{s.checks_failed}" + (f" ({s.checks_failed_error} err)" if s.checks_failed_error else "")
            lines.append(
                f"{s.system:<22} {s.status:<12} {s.rows_read:>10,} {s.rows_landed:>10,} {s.rows_quarantined:>9,} "
                f"{s.checks_passed:>9} {failed:>6}"
            )
            message_lines = s.message.splitlines()
            for line in message_lines[:5]:
                lines.append(f"    {line[:240]}")
            if len(message_lines) > 5:
                lines.append(f"    ... {len(message_lines) - 5} more")
            if s.rows_redelivered:
                lines.append(f"    {s.rows_redelivered:,} rows already landed by an earlier delivery: not landed again")
            if s.failed_checks:
                lines.append(f"    failed checks: {', '.join(s.failed_checks)}")
        totals = [sum(getattr(s, a) for s in self.systems) for a in ("rows_read", "rows_landed", "rows_quarantined")]
        lines.append("-" * len(header))
        lines.append(f"{'total':<22} {'':<12} {totals[0]:>10,} {totals[1]:>10,} {totals[2]:>9,}")
        if self.dead_ends:
            lines.append(f"DEAD END (lands but feeds nothing downstream; see `shequyun sources`): {', '.join(self.dead_ends)}")
        degraded = [s.system for s in self.systems if s.degraded]
        if degraded:
            lines.append("built anyway with the last good bronze data of (stale in build_info and the manifests): "
                         + ", ".join(degraded))
        state = "OK" if self.success else "FAILED: " + ", ".join(s.system for s in self.systems if not s.ok)
        lines.append(f"run {self.run_id} in {self.seconds:,.1f} s: {state}")
        return "\n".join(lines)


def _instance() -> DagsterInstance:
    """The DAGSTER_HOME instance when one is configured (runs show up in `dagster dev`), else ephemeral."""
    home = os.environ.get("DAGSTER_HOME")
    if home and (Path(home) / "dagster.yaml").exists():
        return DagsterInstance.get()
    return DagsterInstance.ephemeral(settings={"telemetry": {"enabled": False}})


def _step_seconds(instance: DagsterInstance, run_id: str) -> dict[str, float]:
    """Each step's wall seconds in a run, from its start and success (or failure) events."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = record.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE) \
                and event.step_key in started:
            seconds[event.step_key] = round(record.timestamp - started[event.step_key], 1)
    return seconds


def _meta_value(metadata: dict[str, Any], key: str, default: Any = None) -> Any:
    value = metadata.get(key)
    return default if value is None else getattr(value, "value", value)


def run_ingest(
    data_dir: Path,
    systems: list[str] | None = None,
    skip_unavailable_databases: bool = False,
    *,
    log_level: str = "WARNING",
) -> IngestSummary:
    """Execute `ingest_job` in process on ``data_dir`` for ``systems`` (default all).

    A failing system does not stop the others (independent steps, raise_on_error=False); its status is
    "failed" with the error message. ``log_level`` is the Dagster console log level of the run.
    """
    import time

    from pipelines.definitions import build_definitions
    from pipelines.resources import ShequyunResource

    started = time.perf_counter()
    defs = build_definitions(
        ShequyunResource(data_dir=str(Path(data_dir).resolve()), skip_unavailable_databases=skip_unavailable_databases)
    )
    job = defs.resolve_job_def("ingest_job")
    all_systems = sorted(
        key.path[1] for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] == BRONZE_PREFIX
    )
    chosen = sorted(set(systems)) if systems else all_systems
    unknown = sorted(set(chosen) - set(all_systems))
    if unknown:
        raise ValueError(f"unknown system(s): {', '.join(unknown)} (known: {', '.join(all_systems)})")

    with _instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level.upper()}}}},
            asset_selection=[bronze_key(s) for s in chosen],
            tags={"shequyun/trigger": "run_ingest"},
        )
        summaries = {s: SystemSummary(system=s, status="not_run") for s in chosen}
        for event in result.all_events:
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                mat = event.event_specific_data.materialization  # type: ignore[union-attr]
                system = _system_of(mat.asset_key)
                if system not in summaries:
                    continue
                md = dict(mat.metadata)
                s = summaries[system]
                s.status = str(_meta_value(md, "status", "landed"))
                s.rows_read = int(_meta_value(md, "rows_read", 0))
                s.rows_landed = int(_meta_value(md, "rows_landed", 0))
                s.rows_quarantined = int(_meta_value(md, "rows_quarantined", 0))
                s.rows_redelivered = int(_meta_value(md, "rows_redelivered", 0))
                s.degraded = bool(_meta_value(md, "degraded", False))
                if s.status == "failed":
                    s.message = "\n".join(_meta_value(md, "errors", []) or [])
                if s.status == "skipped":
                    s.message = str(_meta_value(md, "reason", ""))
            elif event.event_type == DagsterEventType.STEP_FAILURE:
                system = _system_of_step(event.step_key or "")
                if system in summaries:
                    error = event.step_failure_data.error  # type: ignore[union-attr]
                    user = event.step_failure_data.user_failure_data  # type: ignore[union-attr]
                    message = (user.description if user and user.description else None) or (
                        error.message.strip() if error else "step failed"
                    )
                    if event.step_key and event.step_key.endswith("__quality"):
                        summaries[system].message = f"quality checks could not run: {message}"
                    else:
                        s = summaries[system]
                        s.status = "failed"
                        s.message = message
                        md = dict(user.metadata) if user and user.metadata else {}
                        s.rows_read = int(_meta_value(md, "rows_read", 0))
                        s.rows_landed = int(_meta_value(md, "rows_landed", 0))
                        s.rows_quarantined = int(_meta_value(md, "rows_quarantined", 0))
        for evaluation in result.get_asset_check_evaluations():
            system = _system_of(evaluation.asset_key)
            if system not in summaries:
                continue
            s = summaries[system]
            if evaluation.passed:
                s.checks_passed += 1
            else:
                s.checks_failed += 1
                s.failed_checks.append(evaluation.check_name)
                if evaluation.severity.value == "ERROR":
                    s.checks_failed_error += 1
        run_id = result.run_id
    from connectors.config import load_source_configs
    from connectors.contributions import dead_ends

    return IngestSummary(run_id=run_id, systems=[summaries[s] for s in chosen], seconds=time.perf_counter() - started,
                         dead_ends=[s for s in dead_ends(list(load_source_configs().values())) if s in chosen])


def _system_of(key: AssetKey) -> str:
    return key.path[-1] if key.path and key.path[0] == BRONZE_PREFIX else ""


def _system_of_step(step_key: str) -> str:
    # asset op: bronze__<system>; check op: bronze_<system>__quality
    if step_key.startswith(f"{BRONZE_PREFIX}__"):
        return step_key[len(BRONZE_PREFIX) + 2 :]
    if step_key.startswith(f"{BRONZE_PREFIX}_") and step_key.endswith("__quality"):
        return step_key[len(BRONZE_PREFIX) + 1 : -len("__quality")]
    return ""




@dataclass
class TransformSummary:
    """What one `transform_job` run built: dbt models and seeds materialised, dbt tests passed / failed."""

    run_id: str
    success: bool
    assets_materialized: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)   # failed dbt tests of severity warn (the build goes on)
    errors: list[str] = field(default_factory=list)
    database: str = ""
    log: str = ""
    seconds: float = 0.0
    accuracy: dict[str, Any] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)   # Dagster step -> wall seconds, start to end

    def record_check(self, evaluation: Any) -> None:
        """Count one dbt test (a Dagster asset check evaluation): passed, failed, or failed with severity warn."""
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            self.checks_passed += 1
        elif evaluation.severity == AssetCheckSeverity.WARN:
            self.checks_warned.append(name)
        else:
            self.checks_failed.append(name)

    def render(self) -> str:
        built = f"{self.assets_materialized} models/seeds built"
        tests = f"{self.checks_passed} dbt tests passed, {len(self.checks_failed)} failed"
        if self.checks_warned:
            tests += f", {len(self.checks_warned)} warned"
        lines = [f"thematic database: {built}, {tests}"]
        if self.checks_failed:
            lines.append("    failed tests: " + ", ".join(sorted(self.checks_failed)[:20]))
        if self.checks_warned:
            lines.append("    warnings (severity warn, the build went on): " + ", ".join(sorted(self.checks_warned)[:20]))
        for entity in ("persons", "houses"):
            if f"{entity}_pairwise_f1" in self.accuracy:
                a = self.accuracy
                lines.append(
                    f"    {entity} vs truth: pairwise P {a[f'{entity}_pairwise_precision']:.4f} "
                    f"R {a[f'{entity}_pairwise_recall']:.4f} F1 {a[f'{entity}_pairwise_f1']:.4f}; "
                    f"B-cubed F1 {a[f'{entity}_bcubed_f1']:.4f}"
                )
        lines.extend(f"    {e.splitlines()[0][:300]}" for e in self.errors)
        state = f"OK, database at {self.database}" if self.success else "FAILED: the last good database is left in place"
        lines.append(f"run {self.run_id} in {self.seconds:,.1f} s: {state}")
        lines.append(f"dbt log: {self.log}")
        return "\n".join(lines)


def run_transform(data_dir: Path, *, models: list[str] | None = None, log_level: str = "WARNING") -> TransformSummary:
    """Execute `transform_job` in process: dbt build into a copy of the thematic database, swapped in on success.
    ``models``: only these dbt models (or seeds) and what they are built from (default: everything) - the models
    not selected keep their tables of the current database, which the build starts from."""
    import time

    from dagster import AssetSelection

    from pipelines.definitions import build_definitions
    from pipelines.resources import ShequyunResource
    from shequyun.core.warehouse import current_database

    started = time.perf_counter()
    resource = ShequyunResource(data_dir=str(Path(data_dir).resolve()))
    defs = build_definitions(resource)
    job = defs.resolve_job_def("transform_job")
    selection = None
    if models:
        chosen = AssetSelection.assets(*(AssetKey([m]) for m in models)).upstream() - AssetSelection.key_prefixes(BRONZE_PREFIX)
        selection = sorted(chosen.resolve(defs.resolve_asset_graph()))
    # dbt's own log lines go to a file beside the database, not over the summary
    log_dir = resource.paths().warehouse / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"dbt-{time.strftime('%Y%m%dT%H%M%S')}.log"
    with _instance() as instance, open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level.upper()}}}},
            asset_selection=selection,
            tags={"shequyun/trigger": "run_transform"},
        )
        summary = TransformSummary(run_id=result.run_id, success=result.success,
                                   step_seconds=_step_seconds(instance, result.run_id))
        for event in result.all_events:
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                summary.assets_materialized += 1
                mat = event.event_specific_data.materialization  # type: ignore[union-attr]
                if mat.asset_key == AssetKey(["evaluation", "resolution_accuracy"]):
                    summary.accuracy = {k: _meta_value(dict(mat.metadata), k) for k in mat.metadata}
            elif event.event_type == DagsterEventType.STEP_FAILURE:
                user = event.step_failure_data.user_failure_data  # type: ignore[union-attr]
                error = event.step_failure_data.error  # type: ignore[union-attr]
                detail = _meta_value(dict(user.metadata), "error", "") if user and user.metadata else ""
                summary.errors.append(
                    " ".join(filter(None, [user.description if user else (error.message if error else ""), detail]))
                )
        for evaluation in result.get_asset_check_evaluations():
            summary.record_check(evaluation)
    summary.database = str(current_database(resource.paths().warehouse))
    summary.log = str(log_path)
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["IngestSummary", "SystemSummary", "TransformSummary", "run_ingest", "run_transform"]
