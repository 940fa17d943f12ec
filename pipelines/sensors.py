"""Sensors: react to department drops under landing/."""

import hashlib
import json
from pathlib import Path
from typing import Any

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from pipelines.ingest import bronze_key
from pipelines.jobs import ingest_job
from pipelines.resources import ShequyunResource


def file_signature(path: Path) -> str:
    """Size and modification time: a re-delivered (rewritten) file gets a new signature."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _rel(path: Path, landing: Path) -> str:
    try:
        return path.resolve().relative_to(landing.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _signatures(files: list[Path], landing: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for file in files:
        try:
            out[_rel(file, landing)] = file_signature(file)
        except FileNotFoundError:  # moved away between listing and stat
            continue
    return out


def run_key(system: str, files: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(sorted(files.items()), ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"{system}:{digest[:20]}"


def evaluate_landing(shequyun: ShequyunResource, cursor: str | None) -> tuple[list[RunRequest], str]:
    """The run requests for files not landed and not requested yet, and the new cursor.

    Cursor, per system: ``files`` = signatures (size:mtime) of every file matching the system's glob at the
    last tick, ``requested`` = the pending files already requested. A system whose files did not change
    since the last tick is not looked at again (no checksums computed); otherwise
    ``connectors.landing.pending_files`` (sha256 against the receipts) says which files are not landed.
    """
    from connectors.config import load_source_configs
    from connectors.landing import matching_files, pending_files

    paths = shequyun.paths()
    state: dict[str, Any] = json.loads(cursor) if cursor else {}
    new_state: dict[str, Any] = {}
    requests: list[RunRequest] = []
    for system, cfg in sorted(load_source_configs().items()):
        if cfg.is_database or not cfg.path:
            continue
        previous = state.get(system) or {"files": {}, "requested": {}}
        files = _signatures(matching_files(cfg, paths), paths.landing)
        if not files:
            continue
        if files == previous.get("files"):
            new_state[system] = previous
            continue
        pending = _signatures([Path(p) for p in pending_files(cfg, paths)], paths.landing)
        requested = previous.get("requested", {})
        new = {rel: sig for rel, sig in pending.items() if requested.get(rel) != sig}
        if new:
            requests.append(
                RunRequest(
                    run_key=run_key(system, new),
                    asset_selection=[bronze_key(system)],
                    tags={"shequyun/trigger": "landing_sensor", "shequyun/system": system,
                          "shequyun/files": str(len(new))},
                )
            )
        new_state[system] = {"files": files, "requested": pending}
    return requests, json.dumps(new_state, ensure_ascii=False, sort_keys=True)


@sensor(
    name="landing_sensor",
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a bronze run for each system with files under landing/ that are not landed yet.",
)
def landing_sensor(context: SensorEvaluationContext, shequyun: ShequyunResource) -> SensorResult:
    """One run request per system with new files; the same file is not requested twice while its run is
    queued or running, a file rewritten with new content is requested again. The run key (system + files
    + signatures) lets the daemon deduplicate too."""
    requests, cursor = evaluate_landing(shequyun, context.cursor)
    if not requests:
        return SensorResult(skip_reason=SkipReason("no new files under landing/"), cursor=cursor)
    return SensorResult(run_requests=requests, cursor=cursor)
